package dev.tandem.batch;

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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped path end to end, as an operator runs it: the datasets generator writes a master
 * dataset (parquet-avro, its own JVM), {@code scripts/spark-submit-batch.sh} submits the shaded
 * application jar through the bundled SparkSubmit in local mode, and the published rows, read
 * back with plain parquet-hadoop (no Spark), equal the reference evaluator over the master rows.
 */
@Tag("slow")
class SparkSubmitBatchIT {

    private static final java.nio.file.Path PROJECT = java.nio.file.Path.of(System.getProperty("user.dir")).getParent();

    @TempDir
    java.nio.file.Path dir;

    @Test
    void bundledSparkSubmitRunsTheAppJarAndPublishesExactViews() throws Exception {
        java.nio.file.Path root = dir.resolve("data");
        java.nio.file.Path datasets = PROJECT.resolve("datasets/target");
        String cp = datasets.resolve("classes") + ":" + Files.readString(datasets.resolve("runtime-classpath.txt")).trim();
        Result gen = exec(List.of("java", "@" + PROJECT.resolve("scripts/jvm.flags"), "-cp", cp,
                "dev.tandem.datasets.cli.DatasetsCli", "generate", "--root", root.toString(), "--hours", "6",
                "--events-per-day", "4000", "--seed", "3", "--end", "2026-11-20T12:00:00Z"), 180);
        assertThat(gen.code).as(gen.output).isZero();

        Result bad = exec(List.of(PROJECT.resolve("scripts/spark-submit-batch.sh").toString(),
                "batch", "--root", root.toString(), "--mode", "sometimes"), 180);
        assertThat(bad.code).as(bad.output).isEqualTo(2);
        assertThat(bad.output).contains("--mode must be full or incremental");

        Result run = exec(List.of(PROJECT.resolve("scripts/spark-submit-batch.sh").toString(),
                "--master", "local[2]", "--conf", "spark.sql.shuffle.partitions=4", "--",
                "batch", "--root", root.toString(), "--mode", "full"), 300);
        assertThat(run.code).as(run.output).isZero();
        assertThat(run.output).contains("stage dedup done").contains("published ");

        StorageLayout layout = StorageLayout.at(root.toString());
        String current = layout.readCurrent().orElseThrow();
        RunManifest m = layout.readManifest(current);
        assertThat(m.engine()).isEqualTo("spark");
        assertThat(m.cutoff()).isEqualTo("2026-11-20T12:00:00Z");

        List<IngestedEvent> master = new ArrayList<>();
        for (long h : layout.completeHours().headSet(m.cutoffMillis())) {
            for (Path f : layout.masterHourFiles(h)) {
                for (Group g : read(f)) {
                    master.add(masterEvent(g));
                }
            }
        }
        assertThat(master).hasSize(m.inputs().get("records").intValue());
        Evaluation ref = ReferenceEvaluator.evaluate(master);
        assertThat(m.inputs().get("duplicates")).isEqualTo(ref.duplicates());
        for (ViewDefinition v : Views.ALL) {
            ViewAssertions.assertSameRows(v.name(), ref.view(v).batch(m.cutoffMillis()), viewRows(layout, current, v));
        }
    }

    private static SortedMap<ViewKey, Aggregate> viewRows(StorageLayout layout, String run, ViewDefinition v) throws IOException {
        SortedMap<ViewKey, Aggregate> out = new TreeMap<>();
        for (FileStatus st : layout.fs().listStatus(layout.viewDir(run, v.name()))) {
            if (!st.getPath().getName().endsWith(".parquet")) {
                continue;
            }
            try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(st.getPath(), new Configuration()))) {
                assertThat(r.getFooter().getFileMetaData().getSchema().getType(BatchViewSchema.BUCKET_START)
                        .getLogicalTypeAnnotation())
                        .isEqualTo(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MILLIS));
            }
            for (Group g : read(st.getPath())) {
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

    private static List<Group> read(Path file) throws IOException {
        List<Group> out = new ArrayList<>();
        try (ParquetReader<Group> r = ParquetReader.builder(new GroupReadSupport(), file).build()) {
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

    private record Result(int code, String output) {
    }

    private Result exec(List<String> command, int timeoutSeconds) throws Exception {
        java.nio.file.Path log = Files.createTempFile(dir, "proc", ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.remove("SPARK_HOME");
        env.put("TANDEM_NO_BUILD", "1");
        env.put("TANDEM_BATCH_HEAP", "-Xmx1g");
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command + "\n" + Files.readString(log, StandardCharsets.UTF_8));
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
