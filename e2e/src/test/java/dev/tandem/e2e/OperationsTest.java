package dev.tandem.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.batch.spark.SparkRecomputeJob;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.time.IngestTags;
import dev.tandem.datasets.generate.GenerateJob;
import dev.tandem.datasets.generate.GeneratorConfig;
import dev.tandem.datasets.generate.HistoryGenerator;
import dev.tandem.datasets.parquet.MasterDatasetWriter;
import dev.tandem.kafka.LocalKafka;
import dev.tandem.serving.ServingApp;
import dev.tandem.serving.ServingConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator's side, run for real: the notebooks execute against a live API (Debian's jupyter),
 * the Airflow DAG's commands run with the DAG's own arguments (Airflow itself is not installable
 * here, so a stub stands in for its classes only to read the commands), the crontab names scripts
 * that exist, and run-batch.sh keeps its exit-code and lock promises. Slow: it starts JVMs.
 */
@Tag("slow")
class OperationsTest {

    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static LocalKafka kafka;
    static ServingApp serving;
    static Path root;

    @BeforeAll
    static void pipelineWithOneBatchVersion() throws Exception {
        root = dir.resolve("root");
        kafka = LocalKafka.start(dir.resolve("kafka"));
        Configuration conf = new Configuration();
        StorageLayout layout = StorageLayout.at(root.toString(), conf);
        long end = IngestTags.tagOf(System.currentTimeMillis());
        GenerateJob.run(new HistoryGenerator(GeneratorConfig.defaults(3, 12_000), end - 36 * IngestTags.HOUR_MS, 36),
                new MasterDatasetWriter(layout, conf));
        SparkSession spark = SparkSession.builder().appName("tandem-ops-test").master("local[2]")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                .config("spark.sql.session.timeZone", "UTC").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
        try {
            new SparkRecomputeJob(spark, layout).run(SparkRecomputeJob.Mode.FULL);
        } finally {
            spark.stop();
        }
        serving = ServingApp.start(new ServingConfig(root.toString(), kafka.bootstrapServers(), "127.0.0.1", 0,
                "ops-token", Duration.ofSeconds(1)));
    }

    @AfterAll
    static void stop() {
        if (serving != null) {
            serving.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static String api() {
        return "http://127.0.0.1:" + serving.port();
    }

    private record Result(int code, String output) {
    }

    private static Result run(Map<String, String> env, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(REPO.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Path out = Files.createTempFile(dir, "out", ".log");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 10 minutes");
        }
        return new Result(p.exitValue(), Files.readString(out));
    }

    @Test
    void notebooksExecuteAgainstTheLiveApi() throws Exception {
        Path jupyter = Path.of("/usr/bin/jupyter");
        assertThat(jupyter).as("Debian's jupyter (installed by .ci/run)").exists();
        for (String nb : List.of("handoff.ipynb", "mapreduce-vs-spark.ipynb")) {
            Path executed = dir.resolve("executed-" + nb);
            Result r = run(Map.of("TANDEM_API", api()), jupyter.toString(), "nbconvert", "--to", "notebook", "--execute",
                    "--ExecutePreprocessor.timeout=300", "notebooks/" + nb, "--output", executed.toString());
            assertThat(r.code()).as(nb + " failed:\n" + r.output()).isZero();
            JsonNode cells = JSON.readTree(executed.toFile()).get("cells");
            int outputs = 0;
            for (JsonNode c : cells) {
                for (JsonNode o : c.path("outputs")) {
                    assertThat(o.path("output_type").asText()).as(nb + " has an error output").isNotEqualTo("error");
                    outputs++;
                }
            }
            assertThat(outputs).as(nb + " produced outputs").isGreaterThan(2);
        }
    }

    @Test
    void airflowDagCommandsExistAndWorkWithTheDagsArguments() throws Exception {
        Result compiled = run(Map.of(), "/usr/bin/python3", "-m", "py_compile", "scripts/airflow/tandem_dag.py");
        assertThat(compiled.code()).as(compiled.output()).isZero();

        // Airflow is not installable here: a stub of the two classes the DAG imports lets Python read it
        Path stub = dir.resolve("airflow-stub");
        Files.createDirectories(stub.resolve("airflow/operators"));
        Files.writeString(stub.resolve("airflow/__init__.py"), """
                class DAG:
                    def __init__(self, *a, **k): pass
                    def __enter__(self): return self
                    def __exit__(self, *a): return False
                """);
        Files.writeString(stub.resolve("airflow/operators/__init__.py"), "");
        Files.writeString(stub.resolve("airflow/operators/bash.py"), """
                class BashOperator:
                    def __init__(self, task_id, bash_command, **k): self.task_id, self.cmd = task_id, bash_command
                    def __rshift__(self, other): return other
                """);
        Map<String, String> env = new HashMap<>(Map.of(
                "PYTHONPATH", stub.toString(), "TANDEM_HOME", REPO.toString(), "TANDEM_ROOT", root.toString(),
                "TANDEM_BOOTSTRAP", kafka.bootstrapServers(), "TANDEM_API", api()));
        Result listed = run(env, "/usr/bin/python3", "-c",
                "import json, importlib.util as u; s = u.spec_from_file_location('dag', 'scripts/airflow/tandem_dag.py');"
                        + " m = u.module_from_spec(s); s.loader.exec_module(m); print(json.dumps(m.COMMANDS))");
        assertThat(listed.code()).as(listed.output()).isZero();
        JsonNode commands = JSON.readTree(listed.output().lines().reduce((a, b) -> b).orElseThrow());
        assertThat(commands.fieldNames()).toIterable().containsExactly("archive", "recompute", "verify");

        String logicalHour = IngestTags.hourLabel(IngestTags.tagOf(System.currentTimeMillis()) - IngestTags.HOUR_MS);
        for (String task : List.of("archive", "recompute", "verify")) {
            String cmd = commands.get(task).asText().replace("{{ logical_date.strftime('%Y-%m-%dT%H') }}", logicalHour);
            assertThat(cmd).doesNotContain("{{");
            Result r = run(env, "bash", "-c", cmd);
            assertThat(r.code()).as(task + ": " + cmd + "\n" + r.output()).isZero();
            if (task.equals("verify")) {
                assertThat(r.output()).contains("all equal");
            }
        }
    }

    @Test
    void crontabNamesExecutableScripts() throws IOException {
        List<String> commands = new ArrayList<>();
        for (String line : Files.readAllLines(REPO.resolve("scripts/cron/tandem.crontab"))) {
            String l = line.trim();
            if (l.isEmpty() || l.startsWith("#") || l.contains("=")) {
                continue;
            }
            String[] f = l.split("\\s+");
            assertThat(f.length).as(l).isGreaterThan(5);
            commands.add(f[5].replace("$TANDEM_HOME/", ""));
        }
        assertThat(commands).isNotEmpty();
        for (String c : commands) {
            assertThat(REPO.resolve(c)).isExecutable();
        }
    }

    @Test
    void runBatchKeepsItsExitCodesAndNeverOverlaps() throws Exception {
        assertThat(run(Map.of(), "scripts/run-batch.sh", "--mode", "sideways").code()).isEqualTo(2);
        assertThat(run(Map.of(), "scripts/run-batch.sh", "--logical-hour", "yesterday").code()).isEqualTo(2);
        Path lockRoot = dir.resolve("locked");
        Files.createDirectories(lockRoot.resolve("logs"));
        // flock(1) locks are not Java's fcntl locks: hold the lock the way a running run-batch.sh does
        Path lock = lockRoot.resolve("logs/run-batch.lock");
        Process holder = new ProcessBuilder("flock", lock.toString(), "sleep", "120").start();
        try {
            Thread.sleep(500);
            Result r = run(Map.of(), "scripts/run-batch.sh", "--root", lockRoot.toString(), "--no-archive");
            assertThat(r.code()).as(r.output()).isEqualTo(3);
            assertThat(r.output()).contains("another run holds");
        } finally {
            holder.destroyForcibly();
        }
        Result help = run(Map.of(), "scripts/backfill.sh");
        assertThat(help.code()).isEqualTo(2);
        assertThat(new String(Files.readAllBytes(REPO.resolve("scripts/backfill.sh")), StandardCharsets.UTF_8))
                .contains("scripts/tandem\" backfill");
    }
}
