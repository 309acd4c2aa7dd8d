package dev.tandem.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's first command, {@code scripts/demo.sh}, run as a user runs it (small settings, free
 * ports, state in a temporary directory): everything comes up, the API answers from a published batch
 * version and the live speed layer, the batch loop publishes while it runs, SIGTERM (what Ctrl-C
 * does to the script) stops every process, and a second start resumes from the same state instead of
 * regenerating it. Slow: it starts the broker, Spark, Flink and the server as separate JVMs.
 */
@Tag("slow")
class DemoScriptTest {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;

    @Test
    void theDemoRunsStopsCleanlyAndResumes() throws Exception {
        Path data = dir.resolve("data");
        int port = freePort();
        int kafkaPort = freePortPair();
        Map<String, String> env = Map.of(
                "TANDEM_DATA", data.toString(),
                "TANDEM_DAYS", "1",
                "TANDEM_EVENTS_PER_DAY", "4000",
                "TANDEM_RATE", "40",
                "TANDEM_PORT", String.valueOf(port),
                "TANDEM_KAFKA_PORT", String.valueOf(kafkaPort),
                "TANDEM_BATCH_EVERY", "15");
        String api = "http://127.0.0.1:" + port;

        // first start: generate, first batch, speed layer, serving, producer, batch loop
        Path out1 = dir.resolve("demo-1.out");
        Process demo = start(env, out1);
        try {
            awaitOutput(demo, out1, s -> s.contains("Tandem is running"), Duration.ofMinutes(6));
            assertThat(Files.readString(out1)).contains("generating 1 days of history", "published batch version");
            String firstRun = Files.readString(data.resolve("views/CURRENT")).trim();

            JsonNode status = awaitJson(api + "/api/v1/status", s -> s.path("realtime").path("applied_records").asLong() > 0
                    && s.path("realtime").path("ready").asBoolean(), Duration.ofMinutes(2));
            assertThat(status.path("batch").path("run").asText()).isEqualTo(firstRun);
            assertThat(status.path("batch").path("rows").path("campaign_hourly").asLong()).isPositive();

            HttpResponse<String> dashboard = get(api + "/");
            assertThat(dashboard.statusCode()).isEqualTo(200);
            assertThat(dashboard.body()).contains("<html");

            // the batch loop runs scripts/run-batch.sh every 15 s and says so
            awaitOutput(demo, out1, s -> s.contains("batch published") || s.contains("batch: no new complete ingest hour")
                    || s.contains("batch run failed"), Duration.ofMinutes(3));
            assertThat(Files.readString(out1)).doesNotContain("batch run failed");
        } finally {
            stop(demo, out1);
        }
        assertThat(Files.readString(out1)).contains("stopped; state kept in " + data);
        assertClosed(port);
        assertClosed(kafkaPort);

        // second start: resumes from ./data — no new history, no initial batch, same answers served again
        Path out2 = dir.resolve("demo-2.out");
        Process again = start(env, out2);
        try {
            awaitOutput(again, out2, s -> s.contains("Tandem is running"), Duration.ofMinutes(4));
            String text = Files.readString(out2);
            assertThat(text).contains("master dataset found").doesNotContain("generating").doesNotContain("first batch");
            String current = Files.readString(data.resolve("views/CURRENT")).trim();
            JsonNode status = awaitJson(api + "/api/v1/status", s -> s.path("realtime").path("ready").asBoolean(),
                    Duration.ofMinutes(2));
            assertThat(status.path("batch").path("run").asText()).isEqualTo(current);
            assertThat(status.path("realtime").path("entries").asLong()).isPositive();
        } finally {
            stop(again, out2);
        }
        assertClosed(port);
    }

    private static Process start(Map<String, String> env, Path out) throws IOException {
        // setsid: the script leads its own process group, as in a terminal, so its cleanup can stop the whole group
        ProcessBuilder pb = new ProcessBuilder("setsid", REPO.resolve("scripts/demo.sh").toString())
                .directory(REPO.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().putAll(env);
        pb.environment().put("TANDEM_NO_BUILD", "1");
        return pb.start();
    }

    /** SIGTERM, as Ctrl-C or a service manager would send; the script must stop everything it started. */
    private static void stop(Process demo, Path out) throws Exception {
        List<ProcessHandle> children = demo.descendants().toList();
        demo.destroy();
        boolean exited = demo.waitFor(90, TimeUnit.SECONDS);
        if (!exited) {
            demo.destroyForcibly();
        }
        for (ProcessHandle h : children) {
            h.onExit().get(30, TimeUnit.SECONDS);
        }
        assertThat(exited).as("demo.sh did not stop within 90 s:\n" + tail(out)).isTrue();
        assertThat(children.stream().filter(ProcessHandle::isAlive).toList()).as("processes left behind").isEmpty();
    }

    private static void awaitOutput(Process p, Path out, Predicate<String> done, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String text = Files.readString(out);
            if (done.test(text)) {
                return;
            }
            if (!p.isAlive()) {
                throw new AssertionError("demo.sh exited with " + p.exitValue() + ":\n" + tail(out));
            }
            Thread.sleep(500);
        }
        throw new AssertionError("demo.sh did not get there in " + timeout + ":\n" + tail(out));
    }

    private static JsonNode awaitJson(String url, Predicate<JsonNode> done, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = get(url);
                if (r.statusCode() == 200) {
                    last = JSON.readTree(r.body());
                    if (done.test(last)) {
                        return last;
                    }
                }
            } catch (ConnectException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError(url + " did not get there in " + timeout + "; last answer: " + last);
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void assertClosed(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            throw new AssertionError("port " + port + " still accepts connections after the demo stopped");
        } catch (IOException expected) {
            // nothing listens any more
        }
    }

    private static String tail(Path out) throws IOException {
        List<String> lines = Files.readAllLines(out);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A port p with p + 1 free too (the broker's controller listens on p + 1). */
    private static int freePortPair() throws IOException {
        for (int i = 0; i < 50; i++) {
            int p = freePort();
            try (ServerSocket a = new ServerSocket(p); ServerSocket b = new ServerSocket(p + 1)) {
                return p;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no two adjacent free ports");
    }
}
