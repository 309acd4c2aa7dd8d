package dev.tandem.serving.bench;

import dev.tandem.serving.http.ApiServer;
import dev.tandem.serving.query.QueryParser;
import dev.tandem.serving.query.QueryService;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load benchmark of the dashboard query (48 hourly buckets × 20 campaigns, merged from both
 * layers). {@code run} starts the server as a separate JVM ({@code server}), then drives it from
 * this one: an open-loop phase at a fixed rate (latency measured from each request's scheduled
 * start, so a stall is not hidden by coordinated omission), then a closed-loop phase with N
 * connections to find the saturation throughput.
 *
 * <pre>
 * java -cp serving/target/classes:$(cat serving/target/runtime-classpath.txt) \
 *      dev.tandem.serving.bench.ServingBenchmark run [rate=500] [seconds=20] [concurrency=16] [cache=true|false]
 * </pre>
 */
public final class ServingBenchmark {

    private ServingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "run";
        switch (mode) {
            case "server" -> server(Integer.parseInt(arg(args, "port", "0")), Boolean.parseBoolean(arg(args, "cache", "true")));
            case "inprocess" -> inProcess(Integer.parseInt(arg(args, "iterations", "2000")));
            case "load" -> load(arg(args, "url", null), Integer.parseInt(arg(args, "rate", "500")),
                    Integer.parseInt(arg(args, "seconds", "20")), Integer.parseInt(arg(args, "concurrency", "16")));
            case "run" -> run(Integer.parseInt(arg(args, "rate", "500")), Integer.parseInt(arg(args, "seconds", "20")),
                    Integer.parseInt(arg(args, "concurrency", "16")), arg(args, "cache", "true"));
            default -> {
                System.err.println("usage: ServingBenchmark run|server|load|inprocess [key=value …]");
                System.exit(2);
            }
        }
    }

    private static String arg(String[] args, String key, String dflt) {
        for (String a : args) {
            if (a.startsWith(key + "=")) {
                return a.substring(key.length() + 1);
            }
        }
        return dflt;
    }

    static void server(int port, boolean cache) throws InterruptedException {
        long t0 = System.nanoTime();
        BenchData d = BenchData.build();
        QueryService svc = new QueryService(() -> d.batch, d.realtime, System::currentTimeMillis);
        ApiServer server = new ApiServer(svc, java.util.Map::of, null, cache).start("127.0.0.1", port);
        System.out.println("READY " + server.port() + " (answer cache " + (cache ? "on" : "off") + "; data built in " + (System.nanoTime() - t0) / 1_000_000 + " ms)");
        System.out.flush();
        Thread.currentThread().join();
    }

    /** The query without HTTP: what the merge itself costs. */
    static void inProcess(int iterations) {
        BenchData d = BenchData.build();
        QueryService svc = new QueryService(() -> d.batch, d.realtime, System::currentTimeMillis);
        String q = BenchData.dashboardQuery();
        String path = q.substring(0, q.indexOf('?'));
        String view = path.split("/")[4];
        long[] lat = new long[iterations];
        int rows = 0;
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            rows = svc.series(QueryParser.series(view, QueryParser.parseQueryString(q.substring(q.indexOf('?') + 1)))).rows().size();
            lat[i] = System.nanoTime() - t0;
        }
        long[] tail = Arrays.copyOfRange(lat, iterations / 2, iterations);
        Arrays.sort(tail);
        System.out.printf("in-process series query: %d rows, p50 %.3f ms, p99 %.3f ms (last %d of %d runs)%n", rows,
                tail[tail.length / 2] / 1e6, tail[(int) (tail.length * 0.99)] / 1e6, tail.length, iterations);
    }

    static void run(int rate, int seconds, int concurrency, String cache) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                ServingBenchmark.class.getName(), "server", "port=0", "cache=" + cache).redirectErrorStream(true);
        Process p = pb.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            int port = -1;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("READY ")) {
                    System.out.println("server: " + line);
                    port = Integer.parseInt(line.split(" ")[1]);
                    break;
                }
            }
            if (port < 0) {
                throw new IllegalStateException("server did not start");
            }
            Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "drain");
            drain.setDaemon(true);
            drain.start();
            load("http://127.0.0.1:" + port, rate, seconds, concurrency);
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static void load(String base, int rate, int seconds, int concurrency) throws Exception {
        URI uri = URI.create(base + BenchData.dashboardQuery());
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newFixedThreadPool(4)).build();
        HttpRequest req = HttpRequest.newBuilder(uri).GET().build();
        HttpResponse<byte[]> first = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
        if (first.statusCode() != 200) {
            throw new IllegalStateException("dashboard query answered " + first.statusCode());
        }
        System.out.printf("query: %s -> %d bytes%n", uri.getRawPath() + "?" + uri.getRawQuery(), first.body().length);
        // warm-up: closed loop for a few seconds
        closedLoop(client, req, concurrency, 5);

        // open loop at a fixed rate
        int total = rate * seconds;
        long[] latency = new long[total];
        AtomicLong errors = new AtomicLong();
        List<CompletableFuture<Void>> inflight = new ArrayList<>(total);
        long start = System.nanoTime();
        long interval = 1_000_000_000L / rate;
        for (int i = 0; i < total; i++) {
            long scheduled = start + i * interval;
            long wait = scheduled - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            final int idx = i;
            inflight.add(client.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray()).handle((r, ex) -> {
                latency[idx] = System.nanoTime() - scheduled;
                if (ex != null || r.statusCode() != 200) {
                    errors.incrementAndGet();
                }
                return null;
            }));
        }
        try {
            CompletableFuture.allOf(inflight.toArray(new CompletableFuture<?>[0])).get(seconds + 30L, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            System.out.println("open loop: not every request finished within " + (seconds + 30) + " s after the last send");
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long unfinished = inflight.stream().filter(f -> !f.isDone()).count();
        for (int i = 0; i < total; i++) {
            if (!inflight.get(i).isDone()) {
                latency[i] = Long.MAX_VALUE; // counted as slower than anything measured
            }
        }
        Arrays.sort(latency);
        System.out.printf("open loop %d req/s for %d s: %d requests in %.1f s, errors %d, unfinished %d, p50 %s, p90 %s, p99 %s, max %s%n",
                rate, seconds, total, elapsed, errors.get(), unfinished, ms(latency[total / 2]), ms(latency[(int) (total * 0.9)]),
                ms(latency[(int) (total * 0.99)]), ms(latency[total - 1]));
        System.out.flush();

        // closed loop: saturation
        double rps = closedLoop(client, req, concurrency, seconds);
        System.out.printf("closed loop, %d connections for %d s: %.0f req/s%n", concurrency, seconds, rps);
        System.exit(0);
    }

    private static String ms(long nanos) {
        return nanos == Long.MAX_VALUE ? "unfinished" : String.format("%.2f ms", nanos / 1e6);
    }

    private static double closedLoop(HttpClient client, HttpRequest req, int concurrency, int seconds) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        long t0 = System.nanoTime();
        for (int c = 0; c < concurrency; c++) {
            pool.submit(() -> {
                while (System.nanoTime() < end) {
                    HttpResponse<byte[]> r = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
                    if (r.statusCode() == 200) {
                        done.incrementAndGet();
                    }
                }
                return null;
            });
        }
        pool.shutdown();
        pool.awaitTermination(seconds + 30L, TimeUnit.SECONDS);
        return done.get() / ((System.nanoTime() - t0) / 1e9);
    }
}
