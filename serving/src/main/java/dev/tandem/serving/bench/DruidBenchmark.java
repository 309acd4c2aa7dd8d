package dev.tandem.serving.bench;

import dev.tandem.serving.batch.BatchSnapshot;
import dev.tandem.serving.druid.DruidBatchSource;
import dev.tandem.serving.druid.DruidClient;
import dev.tandem.serving.druid.DruidExporter;
import dev.tandem.serving.http.ApiServer;
import dev.tandem.serving.query.QueryService;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The dashboard query (48 hourly buckets × 20 campaigns, the last 12 merged from both layers)
 * through the embedded backend and through Druid, side by side in one run: the same
 * {@link BenchData}, the same speed layer, two API servers in this JVM (answer cache off, so every
 * request reaches its backend), the same client. It checks that both answer byte for byte alike,
 * then measures each: sequential latency (one request at a time: p50, p99) and closed-loop
 * throughput with N connections. Druid must be running ({@code scripts/druid-local.sh start});
 * the bench run is exported to it first unless it already holds it.
 *
 * <pre>
 * java -cp serving/target/classes:$(cat serving/target/runtime-classpath.txt) \
 *      dev.tandem.serving.bench.DruidBenchmark druid=http://127.0.0.1:28880 [requests=400] [seconds=15] [concurrency=4]
 * </pre>
 */
public final class DruidBenchmark {

    private DruidBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String druidUrl = arg(args, "druid", "http://127.0.0.1:28880");
        int requests = Integer.parseInt(arg(args, "requests", "400"));
        int seconds = Integer.parseInt(arg(args, "seconds", "15"));
        int concurrency = Integer.parseInt(arg(args, "concurrency", "4"));

        BenchData d = BenchData.build();
        DruidClient client = new DruidClient(druidUrl);
        Optional<String> held = DruidBatchSource.heldRun(client).map(m -> m.runId());
        if (held.isPresent() && held.get().equals(d.batch.runId())) {
            System.out.println("Druid already holds the bench run " + held.get());
        } else {
            DruidExporter.Result r = new DruidExporter(client, Duration.ofMinutes(10))
                    .export(d.batch, Files.createTempDirectory("tandem-druid-bench-"));
            System.out.println("exported the bench run to Druid: rows " + r.rows() + ", ms " + r.millis());
        }
        DruidBatchSource druid = new DruidBatchSource(client, System::currentTimeMillis);
        BatchSnapshot fromDruid = druid.check();
        if (!d.batch.runId().equals(fromDruid.runId())) {
            throw new IllegalStateException("Druid does not serve the bench run: " + druid.lastError().orElse("?"));
        }
        ApiServer embeddedServer = new ApiServer(new QueryService(() -> d.batch, d.realtime, System::currentTimeMillis),
                Map::of, null, false).start("127.0.0.1", 0);
        ApiServer druidServer = new ApiServer(new QueryService(druid, d.realtime, System::currentTimeMillis),
                Map::of, null, false).start("127.0.0.1", 0);
        try {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .executor(Executors.newFixedThreadPool(4)).build();
            HttpRequest e = request(embeddedServer, BenchData.dashboardQuery());
            HttpRequest z = request(druidServer, BenchData.dashboardQuery());
            String be = http.send(e, HttpResponse.BodyHandlers.ofString()).body();
            String bz = http.send(z, HttpResponse.BodyHandlers.ofString()).body();
            if (!be.equals(bz)) {
                throw new IllegalStateException("the backends answer differently:\nembedded " + be + "\ndruid    " + bz);
            }
            System.out.printf("query %s: %d bytes, identical answers from both backends%n", BenchData.dashboardQuery(), be.length());
            // warm both up, alternately
            for (int i = 0; i < 3; i++) {
                closedLoop(http, e, concurrency, 2);
                closedLoop(http, z, concurrency, 2);
            }
            double[] le = sequential(http, e, requests);
            double[] lz = sequential(http, z, requests);
            double te = closedLoop(http, e, concurrency, seconds);
            double tz = closedLoop(http, z, concurrency, seconds);
            System.out.printf("%-9s sequential %d req: p50 %7.2f ms, p99 %7.2f ms | closed loop %d conn %d s: %7.0f req/s%n",
                    "embedded", requests, le[0], le[1], concurrency, seconds, te);
            System.out.printf("%-9s sequential %d req: p50 %7.2f ms, p99 %7.2f ms | closed loop %d conn %d s: %7.0f req/s%n",
                    "druid", requests, lz[0], lz[1], concurrency, seconds, tz);
            System.out.printf("druid / embedded: p50 latency x%.1f, p99 latency x%.1f, throughput x%.3f%n",
                    lz[0] / le[0], lz[1] / le[1], tz / te);
            breakdown(client, fromDruid, Math.max(20, requests / 4));
        } finally {
            embeddedServer.close();
            druidServer.close();
        }
        System.exit(0);
    }

    /**
     * Where the Druid backend's time goes, without HTTP on our side: the Druid SQL round trip for
     * the batch rows of the dashboard range (planning, broker, historical, JSON), then the same plus
     * rebuilding the rows into a ViewIndex (base64, sketch heapify, estimates).
     */
    private static void breakdown(DruidClient client, BatchSnapshot fromDruid, int n) throws Exception {
        long to = BenchData.START + BenchData.HOURS * dev.tandem.core.time.IngestTags.HOUR_MS;
        long from = to - 48 * dev.tandem.core.time.IngestTags.HOUR_MS;
        dev.tandem.serving.batch.BatchView view = fromDruid.view(dev.tandem.core.view.Views.CAMPAIGN_HOURLY);
        String sql = "SELECT TIMESTAMP_TO_MILLIS(__time), tandem_run_id, campaign_id, impressions, clicks, attributed_clicks, "
                + "unique_users_sketch FROM tandem_campaign_hourly WHERE tandem_row = 'data' "
                + "AND __time >= MILLIS_TO_TIMESTAMP(?) AND __time < MILLIS_TO_TIMESTAMP(?)";
        java.util.List<DruidClient.Param> ps = java.util.List.of(DruidClient.Param.bigint(from), DruidClient.Param.bigint(to));
        long[] sqlLat = new long[n];
        long[] sliceLat = new long[n];
        int rows = 0;
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            rows = client.sql(sql, ps).size();
            sqlLat[i] = System.nanoTime() - t0;
            t0 = System.nanoTime();
            view.slice(from, to, Map.of());
            sliceLat[i] = System.nanoTime() - t0;
        }
        Arrays.sort(sqlLat);
        Arrays.sort(sliceLat);
        System.out.printf("druid breakdown (%d runs, %d batch rows): SQL round trip p50 %.2f ms; SQL + rebuilding rows p50 %.2f ms%n",
                n, rows, sqlLat[n / 2] / 1e6, sliceLat[n / 2] / 1e6);
    }

    private static HttpRequest request(ApiServer s, String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + pathAndQuery)).GET().build();
    }

    /** p50 and p99 in ms of {@code n} requests sent one after the other. */
    private static double[] sequential(HttpClient http, HttpRequest req, int n) throws Exception {
        long[] lat = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
            lat[i] = System.nanoTime() - t0;
            if (r.statusCode() != 200) {
                throw new IllegalStateException("answered " + r.statusCode() + ": " + new String(r.body()));
            }
        }
        Arrays.sort(lat);
        return new double[] {lat[n / 2] / 1e6, lat[(int) Math.min(n - 1, Math.ceil(n * 0.99) - 1)] / 1e6};
    }

    private static double closedLoop(HttpClient http, HttpRequest req, int concurrency, int seconds) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        long t0 = System.nanoTime();
        for (int c = 0; c < concurrency; c++) {
            pool.submit(() -> {
                while (System.nanoTime() < end) {
                    HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
                    (r.statusCode() == 200 ? done : failed).incrementAndGet();
                }
                return null;
            });
        }
        pool.shutdown();
        pool.awaitTermination(seconds + 60L, TimeUnit.SECONDS);
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " requests failed");
        }
        return done.get() / ((System.nanoTime() - t0) / 1e9);
    }

    private static String arg(String[] args, String key, String dflt) {
        for (String a : args) {
            if (a.startsWith(key + "=")) {
                return a.substring(key.length() + 1);
            }
        }
        return dflt;
    }
}
