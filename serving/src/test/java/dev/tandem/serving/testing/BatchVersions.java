package dev.tandem.serving.testing;

import dev.tandem.core.storage.RunIds;
import dev.tandem.core.storage.RunManifest;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.BatchViewSchema;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewKey;
import dev.tandem.core.view.ViewTable;
import dev.tandem.core.view.Views;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.util.HadoopOutputFile;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes batch versions the way a batch engine must (DESIGN §5, core's {@link BatchViewSchema}):
 * Parquet files per view, a manifest with the cutoff and row counts, then {@code publish}. The
 * rows come from the reference evaluator ({@code ViewTable.batch(H)}), so tests compare served
 * answers against ground truth.
 */
public final class BatchVersions {

    private static final AtomicLong ENTROPY = new AtomicLong(1);

    private BatchVersions() {
    }

    /** Writes every view's rows below cutoff H into a new run (split across {@code parts} files) and returns its id. */
    public static String write(StorageLayout layout, Map<String, ViewTable> tables, long cutoffH, int parts,
                               Instant createdAt) throws IOException {
        String runId = RunIds.newRunId("test", createdAt, ENTROPY.getAndIncrement());
        Map<String, Long> counts = new HashMap<>();
        for (ViewDefinition view : Views.ALL) {
            ViewTable t = tables.get(view.name());
            SortedMap<ViewKey, Aggregate> rows = t == null ? new java.util.TreeMap<>() : t.batch(cutoffH);
            writeView(layout, runId, view, rows, parts);
            counts.put(view.name(), (long) rows.size());
        }
        layout.writeManifest(new RunManifest(runId, "test", "full", Instant.ofEpochMilli(cutoffH).toString(), null, null,
                Map.of(), counts, Map.of(), createdAt.toString()));
        return runId;
    }

    public static String writeAndPublish(StorageLayout layout, Map<String, ViewTable> tables, long cutoffH)
            throws IOException {
        String run = write(layout, tables, cutoffH, 2, Instant.ofEpochMilli(cutoffH).plusSeconds(600));
        layout.publish(run);
        return run;
    }

    public static void writeView(StorageLayout layout, String runId, ViewDefinition view,
                                 SortedMap<ViewKey, Aggregate> rows, int parts) throws IOException {
        Schema schema = BatchViewSchema.avroSchema(view);
        List<List<Map.Entry<ViewKey, Aggregate>>> split = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            split.add(new ArrayList<>());
        }
        int i = 0;
        for (Map.Entry<ViewKey, Aggregate> e : rows.entrySet()) {
            split.get(i++ % parts).add(e);
        }
        layout.fs().mkdirs(layout.viewDir(runId, view.name()));
        for (int p = 0; p < parts; p++) {
            Path file = new Path(layout.viewDir(runId, view.name()), String.format("part-%05d.parquet", p));
            try (ParquetWriter<GenericRecord> w = AvroParquetWriter
                    .<GenericRecord>builder(HadoopOutputFile.fromPath(file, layout.fs().getConf()))
                    .withSchema(schema).withWriteMode(ParquetFileWriter.Mode.OVERWRITE).build()) {
                for (Map.Entry<ViewKey, Aggregate> e : split.get(p)) {
                    w.write(BatchViewSchema.toRecord(view, schema, e.getKey(), e.getValue()));
                }
            }
        }
    }
}
