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
 * start, so a stall is not hidden by coordinated omission; {@link OpenLoop}'s lean socket client
 * by default, {@code client=jdk} for java.net.http), then a saturation phase with N
 * connections — wrk (a C load generator, far cheaper per request than a JVM client on the same
 * 2 cores) when installed, else a java.net.http closed loop. It prints the CPU the server and
 * everything else used in each phase.
 *
 * <pre>
 * java -cp serving/target/classes:$(cat serving/target/runtime-classpath.txt) \
 *      dev.tandem.serving.bench.ServingBenchmark run [rate=500] [seconds=20] [concurrency=16] [cache=true|false]
 *      [gzip=false|true] [saturation=wrk|java] [client=raw|jdk] [serverJvm="-XX:+UseParallelGC …"]
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
                    Integer.parseInt(arg(args, "seconds", "20")), Integer.parseInt(arg(args, "concurrency", "16")),
                    Boolean.parseBoolean(arg(args, "gzip", "false")), arg(args, "saturation", "wrk"),
                    Long.parseLong(arg(args, "serverPid", "-1")), arg(args, "client", "raw"));
            case "run" -> run(Integer.parseInt(arg(args, "rate", "500")), Integer.parseInt(arg(args, "seconds", "20")),
                    Integer.parseInt(arg(args, "concurrency", "16")), arg(args, "cache", "true"),
                    Boolean.parseBoolean(arg(args, "gzip", "false")), arg(args, "saturation", "wrk"), arg(args, "serverJvm", ""),
                    arg(args, "client", "raw"));
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

    static void run(int rate, int seconds, int concurrency, String cache, boolean gzip, String saturation,
                    String serverJvm, String openLoopClient) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g"));
        if (!serverJvm.isBlank()) {
            cmd.addAll(Arrays.asList(serverJvm.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ServingBenchmark.class.getName(), "server", "port=0",
                "cache=" + cache));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            int port = -1;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("READY ")) {
                    System.out.println("server: " + line + " pid " + p.pid() + (serverJvm.isBlank() ? "" : " jvm " + serverJvm));
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
            load("http://127.0.0.1:" + port, rate, seconds, concurrency, gzip, saturation, p.pid(), openLoopClient);
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Drives the server at {@code base}: a warm-up, the open loop at {@code rate} (java.net.http,
     * latency from each request's scheduled send time), then the saturation phase with wrk when
     * {@code saturation=wrk} and wrk is installed, else a java.net.http closed loop. With
     * {@code serverPid} ≥ 0, prints how much CPU the server and everything else used meanwhile.
     */
    static void load(String base, int rate, int seconds, int concurrency, boolean gzip, String saturation, long serverPid,
                     String openLoopClient) throws Exception {
        URI uri = URI.create(base + BenchData.dashboardQuery());
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newFixedThreadPool(2)).build();
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri).GET();
        if (gzip) {
            rb.header("Accept-Encoding", "gzip");
        }
        HttpRequest req = rb.build();
        HttpResponse<byte[]> first = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
        if (first.statusCode() != 200) {
            throw new IllegalStateException("dashboard query answered " + first.statusCode());
        }
        System.out.printf("query: %s -> %d bytes%s%n", uri.getRawPath() + "?" + uri.getRawQuery(), first.body().length,
                first.headers().firstValue("Content-Encoding").map(e -> " (Content-Encoding: " + e + ")").orElse(""));
        System.out.println("load: " + uptime());
        // warm-up: closed loop, long enough for the server's JIT to finish compiling the hot path
        closedLoop(client, req, concurrency, 10);

        // open loop at a fixed rate
        CpuMeter cpu = new CpuMeter(serverPid);
        int total = rate * seconds;
        long[] latency;
        long errors;
        long unfinished;
        double elapsed;
        String clientName;
        if ("jdk".equals(openLoopClient)) {
            clientName = "java.net.http";
            latency = new long[total];
            AtomicLong errs = new AtomicLong();
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
                inflight.add(client.sendAsync(req, HttpResponse.BodyHandlers.discarding()).handle((r, ex) -> {
                    latency[idx] = System.nanoTime() - scheduled;
                    if (ex != null || r.statusCode() != 200) {
                        errs.incrementAndGet();
                    }
                    return null;
                }));
            }
            try {
                CompletableFuture.allOf(inflight.toArray(new CompletableFuture<?>[0])).get(seconds + 30L, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                System.out.println("open loop: not every request finished within " + (seconds + 30) + " s after the last send");
            }
            elapsed = (System.nanoTime() - start) / 1e9;
            unfinished = inflight.stream().filter(f -> !f.isDone()).count();
            for (int i = 0; i < total; i++) {
                if (!inflight.get(i).isDone()) {
                    latency[i] = Long.MAX_VALUE; // counted as slower than anything measured
                }
            }
            Arrays.sort(latency);
            errors = errs.get();
        } else {
            clientName = "raw sockets, " + concurrency + " keep-alive connections";
            OpenLoop.Result r = OpenLoop.run(uri.getHost(), uri.getPort(), uri.getRawPath() + "?" + uri.getRawQuery(), gzip,
                    rate, seconds, concurrency);
            latency = r.sortedLatency();
            errors = r.errors();
            unfinished = r.unfinished();
            elapsed = r.seconds();
        }
        String cpuOpen = cpu.report();
        System.out.printf("open loop %d req/s for %d s (%s): %d requests in %.1f s, errors %d, unfinished %d, p50 %s, p90 %s,"
                        + " p99 %s, p99.9 %s, max %s%n", rate, seconds, clientName, total, elapsed, errors, unfinished,
                ms(latency[total / 2]), ms(latency[(int) (total * 0.9)]), ms(latency[(int) (total * 0.99)]),
                ms(latency[(int) (total * 0.999)]), ms(latency[total - 1]));
        System.out.println("  cpu during the open loop: " + cpuOpen);
        System.out.flush();

        // saturation
        cpu = new CpuMeter(serverPid);
        if ("wrk".equals(saturation) && wrkInstalled()) {
            List<String> cmd = new ArrayList<>(List.of("wrk", "-t1", "-c" + concurrency, "-d" + seconds + "s", "--latency"));
            if (gzip) {
                cmd.addAll(List.of("-H", "Accept-Encoding: gzip"));
            }
            cmd.add(uri.toString());
            Process w = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String text = new String(w.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            w.waitFor();
            String rps = text.lines().filter(l -> l.startsWith("Requests/sec:")).findFirst().orElse("Requests/sec: ?");
            System.out.printf("saturation, wrk 1 thread × %d connections for %d s: %s req/s%n", concurrency, seconds,
                    rps.substring("Requests/sec:".length()).trim());
            text.lines().filter(l -> l.contains("Latency") || l.matches("\\s+(50|99)%.*") || l.contains("requests in")
                    || l.contains("Non-2xx") || l.contains("Socket errors") || l.startsWith("Transfer/sec")).forEach(l -> System.out.println("  wrk: " + l.trim()));
        } else {
            double rps = closedLoop(client, req, concurrency, seconds);
            System.out.printf("saturation, java.net.http closed loop, %d connections for %d s: %.0f req/s%n", concurrency, seconds, rps);
        }
        System.out.println("  cpu during saturation: " + cpu.report());
        System.exit(0);
    }

    private static boolean wrkInstalled() {
        try {
            Process p = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor();
            return true;
        } catch (java.io.IOException e) {
            System.out.println("wrk not installed (apt-get install -y wrk): saturation with java.net.http instead");
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String uptime() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    /**
     * CPU used between construction and {@link #report()}: the machine's (from /proc/stat) and the
     * server process's (from /proc/PID/stat), in cores; the rest is the load generator and anything
     * else running.
     */
    static final class CpuMeter {
        private final long pid;
        private final long t0 = System.nanoTime();
        private final long[] machine0;
        private final long server0;

        CpuMeter(long pid) {
            this.pid = pid;
            this.machine0 = machine();
            this.server0 = server();
        }

        String report() {
            double wall = (System.nanoTime() - t0) / 1e9;
            long[] m = machine();
            double busy = (m[0] - machine0[0]) / 100.0 / wall;
            double all = (m[1] - machine0[1]) / 100.0 / wall;
            String s = String.format("machine %.2f of %.0f cores busy", busy, all);
            if (pid >= 0 && server0 >= 0) {
                double srv = (server() - server0) / 100.0 / wall;
                s += String.format(", server %.2f cores, everything else (load generator, other processes) %.2f", srv, busy - srv);
            }
            return s;
        }

        /** {busy ticks, all ticks} over all CPUs. */
        private static long[] machine() {
            try {
                String[] f = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0).trim().split("\\s+");
                long all = 0;
                for (int i = 1; i < f.length && i <= 8; i++) {
                    all += Long.parseLong(f[i]);
                }
                long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
                return new long[] {all - idle, all};
            } catch (java.io.IOException | RuntimeException e) {
                return new long[] {0, 0};
            }
        }

        private long server() {
            if (pid < 0) {
                return -1;
            }
            try {
                String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
            } catch (java.io.IOException | RuntimeException e) {
                return -1;
            }
        }
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
                    HttpResponse<Void> r = client.send(req, HttpResponse.BodyHandlers.discarding());
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
