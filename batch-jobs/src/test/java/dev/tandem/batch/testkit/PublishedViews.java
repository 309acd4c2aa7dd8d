package dev.tandem.batch.testkit;

import dev.tandem.core.event.Event;
import dev.tandem.core.event.EventType;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.reference.Evaluation;
import dev.tandem.core.reference.ReferenceEvaluator;
import dev.tandem.core.storage.RunManifest;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.testkit.ViewAssertions;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.BatchViewSchema;
import dev.tandem.core.view.MetricDefinition;
import dev.tandem.core.view.MetricKind;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewKey;
import dev.tandem.core.view.Views;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reads a master dataset and a published batch version back with plain parquet-hadoop (no Spark),
 * on any filesystem of the layout ({@code file:} or {@code hdfs://}), and checks the version
 * against core's reference evaluator over the master rows below its cutoff.
 */
public final class PublishedViews {

    private PublishedViews() {
    }

    /**
     * Asserts that run {@code run} holds exactly the reference rows of every view for the master
     * rows below its cutoff, and that its manifest counts agree.
     *
     * @return the run's manifest
     */
    public static RunManifest assertRunMatchesReference(StorageLayout layout, String run) throws IOException {
        RunManifest m = layout.readManifest(run);
        assertThat(m.engine()).isEqualTo("spark");
        List<IngestedEvent> master = masterEvents(layout, m.cutoffMillis());
        assertThat(master).hasSize(m.inputs().get("records").intValue());
        Evaluation ref = ReferenceEvaluator.evaluate(master);
        assertThat(m.inputs().get("duplicates")).isEqualTo(ref.duplicates());
        for (ViewDefinition v : Views.ALL) {
            SortedMap<ViewKey, Aggregate> rows = viewRows(layout, run, v);
            assertThat(rows).as(v.name()).isNotEmpty();
            assertThat(m.rowCounts().get(v.name())).as(v.name()).isEqualTo((long) rows.size());
            ViewAssertions.assertSameRows(v.name(), ref.view(v).batch(m.cutoffMillis()), rows);
        }
        return m;
    }

    /** Every master row of the complete hours below {@code cutoff}. */
    public static List<IngestedEvent> masterEvents(StorageLayout layout, long cutoff) throws IOException {
        List<IngestedEvent> master = new ArrayList<>();
        for (long h : layout.completeHours().headSet(cutoff)) {
            for (Path f : layout.masterHourFiles(h)) {
                for (Group g : read(f, layout.fs().getConf())) {
                    master.add(masterEvent(g));
                }
            }
        }
        return master;
    }

    /** The rows of one view of a run, keyed as core keys them (checks bucket_start is TIMESTAMP_MILLIS UTC). */
    public static SortedMap<ViewKey, Aggregate> viewRows(StorageLayout layout, String run, ViewDefinition v)
            throws IOException {
        Configuration conf = layout.fs().getConf();
        SortedMap<ViewKey, Aggregate> out = new TreeMap<>();
        for (FileStatus st : layout.fs().listStatus(layout.viewDir(run, v.name()))) {
            if (!st.getPath().getName().endsWith(".parquet")) {
                continue;
            }
            try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(st.getPath(), conf))) {
                assertThat(r.getFooter().getFileMetaData().getSchema().getType(BatchViewSchema.BUCKET_START)
                        .getLogicalTypeAnnotation())
                        .isEqualTo(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MILLIS));
            }
            for (Group g : read(st.getPath(), conf)) {
                List<String> dims = new ArrayList<>();
                v.dimensionNames().forEach(d -> dims.add(g.getString(d, 0)));
                Aggregate a = v.zero();
                for (MetricDefinition md : v.metrics()) {
                    if (md.kind() == MetricKind.DISTINCT) {
                        a.setSketch(md.name(), g.getBinary(md.column(), 0).getBytes());
                    } else {
                        a.setLong(md.name(), g.getLong(md.column(), 0));
                    }
                }
                out.put(new ViewKey(dims, g.getLong(BatchViewSchema.BUCKET_START, 0)), a);
            }
        }
        return out;
    }

    private static List<Group> read(Path file, Configuration conf) throws IOException {
        List<Group> out = new ArrayList<>();
        try (ParquetReader<Group> r = ParquetReader.builder(new GroupReadSupport(), file).withConf(conf).build()) {
            for (Group g = r.read(); g != null; g = r.read()) {
                out.add(g);
            }
        }
        return out;
    }

    private static String str(Group g, String field) {
        return g.getFieldRepetitionCount(field) == 0 ? null : g.getString(field, 0);
    }

    private static IngestedEvent masterEvent(Group g) {
        Event e = new Event(str(g, "event_id"), EventType.valueOf(str(g, "event_type")), g.getLong("event_time", 0),
                str(g, "user_id"), str(g, "region"), str(g, "campaign_id"), str(g, "ad_id"), str(g, "impression_id"),
                str(g, "order_id"), g.getFieldRepetitionCount("total_minor") == 0 ? null : g.getLong("total_minor", 0),
                str(g, "query"), str(g, "currency"));
        return new IngestedEvent(e, g.getLong("ingest_time", 0), g.getInteger("kafka_partition", 0),
                g.getLong("kafka_offset", 0));
    }
}
