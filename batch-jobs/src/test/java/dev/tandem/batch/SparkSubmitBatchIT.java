package dev.tandem.batch;

import dev.tandem.batch.testkit.PublishedViews;
import dev.tandem.core.storage.RunManifest;
import dev.tandem.core.storage.StorageLayout;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
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
        RunManifest m = PublishedViews.assertRunMatchesReference(layout, current);
        assertThat(m.cutoff()).isEqualTo("2026-11-20T12:00:00Z");
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
