package dev.tandem.e2e;

import dev.tandem.core.event.LogRecord;
import dev.tandem.core.reference.ReferenceEvaluator;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.topics.Topics;
import dev.tandem.datasets.generate.EventFactory;
import dev.tandem.datasets.generate.GeneratorConfig;
import dev.tandem.kafka.LocalKafka;
import dev.tandem.kafka.TopicReader;
import dev.tandem.serving.ServingApp;
import dev.tandem.serving.ServingConfig;
import dev.tandem.serving.verify.Verifier;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The speed layer on a real standalone Flink cluster (issue "beyond one machine"): a JobManager and
 * a TaskManager as separate JVMs started by {@code scripts/flink-cluster.sh}, the job submitted as the
 * module's {@code -flink.jar} with {@code flink run -d}, against the in-process broker; serving reads
 * the job's changelog. Served answers must equal the reference evaluator over the log, before and after
 * a stop-with-savepoint and a restore from that savepoint (with events produced while the job was down).
 */
@Tag("slow")
class FlinkClusterTest {

    private static final Logger LOG = LoggerFactory.getLogger(FlinkClusterTest.class);
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern SUBMITTED = Pattern.compile("Job has been submitted with JobID ([0-9a-f]{32})");
    private static final Pattern SAVEPOINT = Pattern.compile("Savepoint completed\\. Path: (\\S+)");

    @TempDir
    static Path dir;
    static Path cluster;
    static int restPort;
    static LocalKafka kafka;
    static ServingApp serving;
    static KafkaProducer<String, byte[]> producer;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> jobs = new ArrayList<>();

    @BeforeAll
    static void clusterBrokerAndServing() throws Exception {
        kafka = LocalKafka.start(dir.resolve("kafka"));
        cluster = dir.resolve("flink");
        restPort = freePort();
        Result started = script("start", "--dir", cluster.toString(), "--rest-port", String.valueOf(restPort),
                "--rpc-port", String.valueOf(freePort()), "--slots", "2");
        assertThat(started.code()).as(started.output()).isZero();
        assertThat(started.output()).contains("2 slots");
        serving = ServingApp.start(new ServingConfig(dir.resolve("root").toString(), kafka.bootstrapServers(),
                "127.0.0.1", 0, "token", Duration.ofMillis(200)));
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stopEverything() throws Exception {
        for (String job : jobs) {
            script("flink", "--dir", cluster.toString(), "cancel", job);
        }
        if (cluster != null) {
            script("stop", "--dir", cluster.toString());
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (serving != null) {
            serving.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void theClusterJobIsExactAcrossAStopWithSavepointAndARestore() throws Exception {
        Path jar = flinkJar();
        String[] jobArgs = {"-c", "dev.tandem.speed.SpeedJob", jar.toString(), "--bootstrap", kafka.bootstrapServers(),
                "--checkpoint-dir", cluster.resolve("checkpoints").toString()};
        EventFactory events = new EventFactory(new GeneratorConfig(7, 0, 0.08, 0, 0.03, 0.3, 300, 8, 30, 4),
                new SplittableRandom(7));

        String first = submit(jobArgs);
        awaitRunning(first);
        produce(events, 1500);
        awaitServedEqualsReference("first job");

        Result stopped = script("flink", "--dir", cluster.toString(), "stop", "--savepointPath",
                cluster.resolve("savepoints").toString(), first);
        assertThat(stopped.code()).as(stopped.output()).isZero();
        jobs.remove(first);
        Matcher sp = SAVEPOINT.matcher(stopped.output());
        assertThat(sp.find()).as(stopped.output()).isTrue();
        String savepoint = sp.group(1);

        produce(events, 1000); // while no job runs: the restored job must pick these up, once

        String[] restoreArgs = Stream.concat(Stream.of("-s", savepoint), Stream.of(jobArgs)).toArray(String[]::new);
        String second = submit(restoreArgs);
        awaitRunning(second);
        assertThat(restoredFrom(second)).isEqualTo(savepoint);
        produce(events, 500);
        awaitServedEqualsReference("restored job");
    }

    // ---- the cluster, through the script as an operator would use it ----------------------------

    private static String submit(String... runArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of("flink", "--dir", cluster.toString(), "run", "-d"));
        args.addAll(List.of(runArgs));
        Result r = script(args.toArray(String[]::new));
        assertThat(r.code()).as(r.output()).isZero();
        Matcher m = SUBMITTED.matcher(r.output());
        assertThat(m.find()).as(r.output()).isTrue();
        jobs.add(m.group(1));
        LOG.info("submitted job {} to the standalone cluster", m.group(1));
        return m.group(1);
    }

    private static JsonNode rest(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restPort + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static void awaitRunning(String job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        String state = "";
        while (System.nanoTime() < deadline) {
            JsonNode j = rest("/jobs/" + job);
            state = j.path("state").asText();
            boolean allRunning = true;
            for (JsonNode v : j.path("vertices")) {
                allRunning &= "RUNNING".equals(v.path("status").asText());
            }
            if ("RUNNING".equals(state) && allRunning) {
                return;
            }
            assertThat(state).isNotIn("FAILED", "CANCELED", "FINISHED");
            Thread.sleep(500);
        }
        throw new AssertionError("job " + job + " not running after 2 minutes: " + state);
    }

    private static String restoredFrom(String job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (System.nanoTime() < deadline) {
            JsonNode restored = rest("/jobs/" + job + "/checkpoints").path("latest").path("restored");
            if (!restored.isMissingNode() && !restored.isNull()) {
                return restored.path("external_path").asText();
            }
            Thread.sleep(500);
        }
        return "(no restore reported)";
    }

    // ---- events and answers ---------------------------------------------------------------------

    private static void produce(EventFactory events, int n) throws Exception {
        List<Future<?>> acks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            EventFactory.Made m = events.next(System.currentTimeMillis());
            ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.EVENTS, m.key(), m.value());
            acks.add(producer.send(r));
            if (i % 40 == 0) {
                acks.add(producer.send(r)); // a producer retry: a duplicate in the log
            }
        }
        for (Future<?> f : acks) {
            f.get();
        }
    }

    private static void awaitServedEqualsReference(String when) throws Exception {
        List<LogRecord> log = new ArrayList<>();
        TopicReader.readAll(kafka.bootstrapServers(), Topics.EVENTS, true,
                r -> log.add(new LogRecord(r.value(), r.timestamp(), r.partition(), r.offset())));
        Verifier.Rows expected = Verifier.expected(ReferenceEvaluator.evaluateLog(log));
        long now = System.currentTimeMillis();
        long from = Math.floorDiv(now - 5 * IngestTags.DAY_MS, IngestTags.DAY_MS) * IngestTags.DAY_MS;
        String api = "http://127.0.0.1:" + serving.port();
        Verifier.Rows served = new Verifier.Rows();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            try {
                served = Verifier.served(HTTP, api, from, from + 12 * IngestTags.DAY_MS);
                if (served.equals(expected)) {
                    LOG.info("{}: {} log records, served rows equal the reference", when, log.size());
                    return;
                }
            } catch (IOException | IllegalStateException e) {
                // serving not ready yet
            }
            Thread.sleep(500);
        }
        List<Verifier.Difference> d = Verifier.compare(expected, served);
        throw new AssertionError(when + ": " + d.size() + " served rows differ from the reference, e.g. "
                + d.subList(0, Math.min(10, d.size())));
    }

    // ---- plumbing -------------------------------------------------------------------------------

    private static Path flinkJar() throws IOException {
        try (Stream<Path> s = Files.list(REPO.resolve("speed-layer/target"))) {
            return s.filter(p -> p.getFileName().toString().matches("tandem-speed-layer-.*-flink\\.jar"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no speed-layer/target/*-flink.jar: run mvn package first"));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private record Result(int code, String output) {
    }

    private static Result script(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(REPO.resolve("scripts/flink-cluster.sh").toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(REPO.toFile()).redirectErrorStream(true);
        Path out = Files.createTempFile(dir, "script", ".log");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 5 minutes");
        }
        return new Result(p.exitValue(), Files.readString(out));
    }
}
