package dev.tandem.serving.druid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.reference.ReferenceEvaluator;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.testkit.RandomLogs;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewKey;
import dev.tandem.core.view.ViewTable;
import dev.tandem.core.view.Views;
import dev.tandem.serving.ServingApp;
import dev.tandem.serving.ServingConfig;
import dev.tandem.serving.batch.BatchSnapshot;
import dev.tandem.serving.batch.ViewIndex;
import dev.tandem.serving.cli.ServingCli;
import dev.tandem.serving.query.QueryException;
import dev.tandem.serving.query.Iso;
import dev.tandem.serving.query.Metrics;
import dev.tandem.serving.realtime.InMemoryRealtimeStore;
import dev.tandem.serving.testing.BatchVersions;
import dev.tandem.serving.testing.Layers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.tandem.core.testkit.TestEvents.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Against a real Apache Druid 33 started by {@code scripts/druid-local.sh} (ZooKeeper, coordinator as
 * overlord, broker, historical, indexer, router): a published batch version is exported with
 * {@code druid-export}, and a server with {@code --backend druid} must answer every endpoint exactly
 * like the embedded backend over the same run and the same speed layer, and like the reference
 * evaluator. A second export of a newer run must overshadow the first.
 */
@Tag("slow")
class DruidBackendTest {

    static final long START = t("2026-11-20T00:00:00Z");
    static final long HOUR = IngestTags.HOUR_MS;
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    static Path dir;

    static Path druidDir;
    static String druidUrl;
    static Map<String, ViewTable> tables;
    static long end;
    static StorageLayout layout;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startDruid() throws Exception {
        List<IngestedEvent> log = RandomLogs.generate(33, 1500, START);
        tables = ReferenceEvaluator.evaluate(log).views();
        end = IngestTags.tagOf(log.stream().mapToLong(IngestedEvent::ingestTime).max().orElseThrow()) + HOUR;
        layout = StorageLayout.at(dir.resolve("root").toString());

        int base = freePortRange(7);
        druidDir = REPO.resolve("serving/target/druid-test");
        deleteRecursively(druidDir.resolve("var")); // a fresh cluster: no datasources from an earlier run
        int rc = script("start", "--dir", druidDir.toString(), "--base-port", Integer.toString(base));
        assertThat(rc).as("scripts/druid-local.sh start (log in %s)", druidDir.resolve("log")).isZero();
        druidUrl = "http://127.0.0.1:" + base;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (Files.exists(druidDir.resolve("pids/coordinator"))) { // not stopped by @AfterAll
                    script("stop", "--dir", druidDir.toString());
                }
            } catch (Exception ignored) {
                // best effort at JVM exit
            }
        }));
    }

    @AfterAll
    static void stopDruid() throws Exception {
        if (druidDir != null) {
            script("stop", "--dir", druidDir.toString());
        }
    }

    @Test
    void druidBackendAnswersLikeTheEmbeddedOneAndANewerExportOvershadowsTheOlder() throws Exception {
        long cutoff1 = START + 20 * HOUR;
        long cutoff2 = START + 30 * HOUR;
        String run1 = BatchVersions.write(layout, tables, cutoff1, 2, Instant.ofEpochMilli(cutoff1).plusSeconds(600));
        String run2 = BatchVersions.write(layout, tables, cutoff2, 3, Instant.ofEpochMilli(cutoff2).plusSeconds(600));
        layout.publish(run1);

        // before any export: Druid holds nothing, the Druid backend serves the speed layer alone
        assertThat(DruidBatchSource.heldRun(new DruidClient(druidUrl))).isEmpty();

        assertThat(ServingCli.run("druid-export", "--root", layout.root().toString(), "--druid", druidUrl,
                "--staging", dir.resolve("staging").toString())).isZero(); // CURRENT = run1
        try (ServingApp embedded = serve(null, cutoff1); ServingApp druid = serve(druidUrl, cutoff1)) {
            assertThat(druid.batch().lastError()).isEmpty();
            assertThat(druid.batch().current().runId()).isEqualTo(run1);
            assertSameAnswers(embedded, druid, run1, cutoff1);
        }

        DruidClient client = new DruidClient(druidUrl);
        // a running source that would poll only hourly: it must still notice the newer run at once
        DruidBatchSource running = new DruidBatchSource(client, () -> 0L).start(Duration.ofHours(1));
        BatchSnapshot servedBefore = running.current();
        assertThat(servedBefore.runId()).isEqualTo(run1);

        // the newer run, exported over the first: every datasource now holds run2 only
        assertThat(ServingCli.run("druid-export", "--root", layout.root().toString(), "--run", run2, "--druid", druidUrl,
                "--staging", dir.resolve("staging").toString())).isZero();
        assertThat(DruidBatchSource.heldRun(client).orElseThrow().runId()).isEqualTo(run2);
        // a query still holding run1's snapshot gets rows of run2 from Druid: refused, never mixed
        assertThatThrownBy(() -> servedBefore.view(Views.CAMPAIGN_HOURLY).slice(START, end, Map.of()))
                .isInstanceOfSatisfying(QueryException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.detail()).contains(run2, run1);
                });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!run2.equals(running.current().runId()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(running.current().runId()).as("re-checked at the first stale answer").isEqualTo(run2);
        running.close();
        for (ViewDefinition v : Views.ALL) {
            List<JsonNode> runs = client.sql("SELECT DISTINCT tandem_run_id FROM " + DruidSchema.quote(DruidSchema.datasource(v)), List.of());
            assertThat(runs).as(v.name()).hasSize(1);
            assertThat(runs.get(0).get(0).asText()).isEqualTo(run2);
            // Druid's own view: the first export's segments are overshadowed by the second's
            List<JsonNode> segs = client.sql("SELECT \"version\", is_overshadowed, is_published FROM sys.segments WHERE datasource = ? ORDER BY \"version\"",
                    List.of(DruidClient.Param.varchar(DruidSchema.datasource(v))));
            JsonNode newest = segs.get(segs.size() - 1);
            assertThat(newest.get(1).asLong()).as("newest segment of %s overshadowed? %s", v.name(), segs).isZero();
            for (JsonNode older : segs.subList(0, segs.size() - 1)) {
                assertThat(older.get(1).asLong()).as("older segment of %s: %s", v.name(), segs).isEqualTo(1);
            }
        }
        layout.publish(run2);
        try (ServingApp embedded = serve(null, cutoff2); ServingApp druid = serve(druidUrl, cutoff2)) {
            assertThat(druid.batch().current().runId()).isEqualTo(run2);
            assertSameAnswers(embedded, druid, run2, cutoff2);
        }
    }

    /** A serving process on one backend with the speed layer holding tags from two hours below H. */
    private static ServingApp serve(String druid, long cutoff) {
        ServingApp app = ServingApp.start(new ServingConfig(druid == null ? layout.root().toString() : null, null,
                "127.0.0.1", 0, null, Duration.ofSeconds(1), druid));
        Layers.fill((InMemoryRealtimeStore) app.realtime(), tables, cutoff - 2 * HOUR, Long.MAX_VALUE);
        return app;
    }

    private static void assertSameAnswers(ServingApp embedded, ServingApp druid, String run, long cutoff) throws Exception {
        // row level: Druid hands back every stored row with the very bytes (sketches included)
        for (ViewDefinition v : Views.ALL) {
            ViewIndex e = embedded.batch().current().view(v).all();
            ViewIndex d = druid.batch().current().view(v).all();
            assertThat(d.keys()).as(v.name()).isEqualTo(e.keys()).hasSize(druid.batch().current().view(v).size());
            for (ViewKey k : e.keys()) {
                assertThat(d.get(k).toBytes()).as("%s %s", v.name(), k).isEqualTo(e.get(k).toBytes());
            }
        }
        String range = "from=" + Iso.format(START - 3 * IngestTags.DAY_MS) + "&to=" + Iso.format(end + IngestTags.DAY_MS - end % IngestTags.DAY_MS);
        List<String> queries = new ArrayList<>();
        for (ViewDefinition v : Views.ALL) {
            queries.add("/api/v1/views/" + v.name() + "/series?" + range);
            queries.add("/api/v1/views/" + v.name() + "/series?" + range + "&granularity=day&groupBy=");
            for (String m : Metrics.names(v)) {
                if (!"ctr".equals(m)) {
                    queries.add("/api/v1/views/" + v.name() + "/top?" + range + "&by=" + m + "&limit=5");
                }
            }
        }
        queries.add("/api/v1/views/campaign_hourly/series?" + range + "&granularity=day&campaign_id=c1,c2&groupBy=campaign_id&metrics=impressions,unique_users,ctr");
        queries.add("/api/v1/views/region_revenue_hourly/series?" + range + "&groupBy=currency");
        queries.add("/api/v1/views/region_revenue_hourly/series?from=" + Iso.format(cutoff - 3 * HOUR) + "&to=" + Iso.format(cutoff + 3 * HOUR));
        queries.add("/api/v1/views/campaign_hourly/series?" + range + "&campaign_id=no-such-campaign");
        queries.add("/api/v1/views");
        for (String q : queries) {
            JsonNode e = get(embedded, q);
            JsonNode d = get(druid, q);
            assertThat(d).as(q).isEqualTo(e);
        }
        // …and both equal the reference evaluator: merged layers = every tag of every key
        for (ViewDefinition v : Views.ALL) {
            JsonNode a = get(druid, "/api/v1/views/" + v.name() + "/series?" + range);
            assertThat(a.get("batch").get("run").asText()).isEqualTo(run);
            assertThat(a.get("batch").get("cutoff").asText()).isEqualTo(Iso.format(cutoff));
            List<Map<String, Object>> rows = JSON.convertValue(a.get("rows"), new com.fasterxml.jackson.core.type.TypeReference<>() { });
            Map<ViewKey, Map<String, Object>> served = Layers.served(rows, v.dimensionNames(), Metrics.names(v));
            assertThat(served).as(v.name()).isNotEmpty().isEqualTo(Layers.expected(v, tables.get(v.name()).total()));
        }
        JsonNode es = get(embedded, "/api/v1/status");
        JsonNode ds = get(druid, "/api/v1/status");
        for (String f : List.of("run", "cutoff", "rows", "engine", "mode", "created_at", "last_error")) {
            assertThat(ds.get("batch").get(f)).as("status batch." + f).isEqualTo(es.get("batch").get(f));
        }
        assertThat(ds.get("coverage")).isEqualTo(es.get("coverage"));
        assertThat(ds.get("batch").get("run").asText()).isEqualTo(run);
    }

    private static JsonNode get(ServingApp app, String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + pathAndQuery))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(pathAndQuery + " -> " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static int script(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", REPO.resolve("scripts/druid-local.sh").toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("druid-local", ".log");
        Process p = new ProcessBuilder(cmd).directory(REPO.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(8, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("druid-local.sh " + args[0] + " did not finish");
        }
        System.out.println(Files.readString(out, StandardCharsets.UTF_8));
        return p.exitValue();
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (Files.exists(p)) {
            try (var paths = Files.walk(p)) {
                for (Path x : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(x);
                }
            }
        }
    }

    /** A base port with the next {@code n} ports free. */
    private static int freePortRange(int n) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base;
            try (ServerSocket s = new ServerSocket(0)) {
                base = s.getLocalPort();
            }
            if (base + n > 65535) {
                continue;
            }
            boolean free = true;
            for (int p = base; p < base + n && free; p++) {
                try (ServerSocket s = new ServerSocket(p, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
                    s.setReuseAddress(true);
                } catch (IOException busy) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IllegalStateException("no " + n + " consecutive free ports");
    }
}
