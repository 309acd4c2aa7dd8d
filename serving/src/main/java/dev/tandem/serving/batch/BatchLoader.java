package dev.tandem.serving.batch;

import dev.tandem.core.storage.RunManifest;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.BatchViewSchema;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewKey;
import dev.tandem.core.view.Views;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Reads a published batch version (DESIGN §5: {@code views/runs/<run>/<view>/*.parquet} in
 * {@link BatchViewSchema} layout, plus {@code _MANIFEST.json} for the cutoff) into a
 * {@link BatchSnapshot}. Rows with equal keys in several files are combined with the view's
 * monoid. A manifest row count that disagrees with the rows read fails the load, so a damaged
 * version is never served.
 */
public final class BatchLoader {

    private final StorageLayout layout;
    private final LongSupplier clock;

    public BatchLoader(StorageLayout layout, LongSupplier clock) {
        this.layout = layout;
        this.clock = clock;
    }

    public BatchSnapshot load(String runId) throws IOException {
        RunManifest manifest = layout.readManifest(runId);
        Map<String, BatchView> views = new HashMap<>();
        for (ViewDefinition view : Views.ALL) {
            TreeMap<ViewKey, Aggregate> rows = new TreeMap<>();
            long read = 0;
            for (Path file : dataFiles(layout.viewDir(runId, view.name()))) {
                read += readFile(view, file, rows);
            }
            Long expected = manifest.rowCounts().get(view.name());
            if (expected != null && expected != read) {
                throw new IOException("run " + runId + " view " + view.name() + ": manifest says " + expected
                        + " rows, files hold " + read);
            }
            views.put(view.name(), ViewIndex.of(view, rows));
        }
        return new BatchSnapshot(runId, manifest, manifest.cutoffMillis(), clock.getAsLong(), views);
    }

    private long readFile(ViewDefinition view, Path file, TreeMap<ViewKey, Aggregate> rows) throws IOException {
        long n = 0;
        try (ParquetReader<GenericRecord> reader = AvroParquetReader
                .<GenericRecord>builder(HadoopInputFile.fromPath(file, layout.fs().getConf())).build()) {
            for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
                normalizeBucket(r);
                ViewKey key = interned(BatchViewSchema.keyOf(view, r));
                Aggregate value = BatchViewSchema.aggregateOf(view, r);
                rows.merge(key, value, Aggregate::merge);
                n++;
            }
        } catch (RuntimeException e) {
            throw new IOException("cannot read batch view file " + file + ": " + e.getMessage(), e);
        }
        return n;
    }

    /** Dimension values repeat across buckets; one String per value keeps the index compact. */
    private static ViewKey interned(ViewKey k) {
        return new ViewKey(k.dims().stream().map(String::intern).toList(), k.bucketStart());
    }

    /**
     * bucket_start as the epoch millis core's {@code keyOf} expects: parquet-avro may hand over an
     * Instant, and writers that store timestamp-micros (Spark's default) are read as millis.
     */
    private static void normalizeBucket(GenericRecord r) {
        Schema.Field f = r.getSchema().getField(BatchViewSchema.BUCKET_START);
        if (f == null) {
            throw new IllegalArgumentException("row has no " + BatchViewSchema.BUCKET_START + " column");
        }
        Schema s = f.schema();
        if (s.getType() == Schema.Type.UNION) {
            s = s.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElse(s);
        }
        LogicalType lt = s.getLogicalType();
        Object v = r.get(BatchViewSchema.BUCKET_START);
        if (v instanceof java.time.Instant instant) {
            // parquet-avro 1.18 applies the logical-type conversion itself
            r.put(BatchViewSchema.BUCKET_START, instant.toEpochMilli());
        } else if (lt instanceof LogicalTypes.TimestampMicros && v instanceof Long micros) {
            r.put(BatchViewSchema.BUCKET_START, Math.floorDiv(micros, 1000L));
        }
    }

    private List<Path> dataFiles(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        collect(layout.fs(), dir, out);
        Collections.sort(out);
        return out;
    }

    private static void collect(FileSystem fs, Path dir, List<Path> out) throws IOException {
        FileStatus[] list;
        try {
            list = fs.listStatus(dir);
        } catch (FileNotFoundException e) {
            return;
        }
        for (FileStatus st : list) {
            String name = st.getPath().getName();
            if (name.startsWith("_") || name.startsWith(".")) {
                continue;
            }
            if (st.isDirectory()) {
                collect(fs, st.getPath(), out);
            } else if (name.endsWith(".parquet")) {
                out.add(st.getPath());
            }
        }
    }
}
