package dev.tandem.batch.bench;

import dev.tandem.batch.spark.ColumnarCache;
import dev.tandem.batch.spark.RunState;
import dev.tandem.batch.spark.SparkRecomputeJob;
import dev.tandem.core.storage.RunManifest;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.view.Hll;
import dev.tandem.core.view.MetricDefinition;
import dev.tandem.core.view.MetricKind;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.Views;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SortedSet;

/**
 * Spark full recompute against DuckDB over the same master Parquet, side by side in one run.
 *
 * <p>Each engine runs in its own child JVM (same classpath), one after the other, so that each has
 * the machine to itself and its peak memory (VmHWM = peak RSS, plus the JVM's peak heap) is its own.
 * Spark runs {@link SparkRecomputeJob} in full mode (views from core's definitions, published as a
 * new run); DuckDB runs {@link DuckDbViews} (the same validation, dedup, attribution join and
 * aggregation as SQL, with {@code threads} = the cores Spark gets). Then the parent checks that both
 * computed the same thing — every view row's key, counts and sums equal; each HLL estimate within
 * {@value #DISTINCT_TOLERANCE_SIGMAS} standard errors of DuckDB's exact {@code count(DISTINCT)} —
 * and prints times, events/s and the ratio Spark / DuckDB. It exits 1 when the results differ.
 *
 * <pre>
 * java @scripts/jvm.flags -cp batch-jobs/target/classes:$(cat batch-jobs/target/runtime-classpath.txt) \
 *      dev.tandem.batch.bench.SparkDuckDbBench ROOT [CORES=2] [XMX=4g] [SHUFFLE_PARTITIONS=4]
 * </pre>
 */
public final class SparkDuckDbBench {

    static final double DISTINCT_TOLERANCE_SIGMAS = 4;
    /** DataSketches HLL relative standard error at lgK = 12: 1.04 / sqrt(2^12). */
    static final double HLL_RSE = 1.04 / Math.sqrt(1 << Hll.LG_K);

    private SparkDuckDbBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 1 && args[0].equals("--child")) {
            child(args);
            return;
        }
        if (args.length >= 2 && args[0].equals("--duckdb-only")) {
            // DuckDB alone (when the Spark run of the same input does not fit the time available)
            java.nio.file.Path work = Files.createTempDirectory("tandem-bench-");
            System.out.printf(Locale.ROOT, "bench duckdb-only: root=%s load=%s%n", args[1], loadAverage());
            Properties duck = runChild(work, args.length > 3 ? args[3] : "4g", "duckdb", args[1],
                    args.length > 2 ? args[2] : "2", args.length > 3 ? args[3] : "4g");
            System.out.printf(Locale.ROOT, "duckdb %.1f s, peak RSS %d MiB, %s; load after %s%n",
                    Double.parseDouble(duck.getProperty("seconds")), Long.parseLong(duck.getProperty("vmhwm_kb")) >> 10,
                    duck.getProperty("inputs"), loadAverage());
            return;
        }
        if (args.length >= 1 && args[0].equals("--incremental")) {
            incremental(args);
            return;
        }
        // --no-state: neither engine writes the incremental state (the views' cost alone, compared)
        boolean noState = args.length >= 1 && args[0].equals("--no-state");
        if (noState) {
            args = java.util.Arrays.copyOfRange(args, 1, args.length);
        }
        if (args.length < 1) {
            System.err.println("usage: SparkDuckDbBench [--no-state] ROOT [CORES=2] [XMX=4g] [SHUFFLE_PARTITIONS=4]\n"
                    + "       SparkDuckDbBench --incremental SOURCE_ROOT WORK_ROOT NEW_HOURS [CORES] [XMX] [SHUFFLE]");
            System.exit(2);
        }
        String root = args[0];
        int cores = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        String xmx = args.length > 2 ? args[2] : "4g";
        String shuffle = args.length > 3 ? args[3] : "4";
        java.nio.file.Path work = Files.createTempDirectory("tandem-bench-");
        System.out.printf(Locale.ROOT, "bench: root=%s cores=%d xmx=%s shuffle.partitions=%s load=%s%n",
                root, cores, xmx, shuffle, loadAverage());

        String state = noState ? "no-state" : "state";
        Properties spark = runChild(work, xmx, "spark", root, Integer.toString(cores), shuffle, state);
        Properties duck = runChild(work, xmx, "duckdb", root, Integer.toString(cores), xmx, state);
        long records = Long.parseLong(spark.getProperty("records"));
        double sparkS = Double.parseDouble(spark.getProperty("seconds"));
        double duckS = Double.parseDouble(duck.getProperty("seconds"));
        System.out.printf(Locale.ROOT, "%-7s %10s %9s %12s %11s %11s  %s%n",
                "engine", "records", "seconds", "records/s", "peak RSS", "peak heap", "stages (ms)");
        for (Properties p : List.of(spark, duck)) {
            System.out.printf(Locale.ROOT, "%-7s %10d %9.1f %12.0f %7d MiB %7d MiB  %s%n", p.getProperty("engine"),
                    records, Double.parseDouble(p.getProperty("seconds")),
                    records / Double.parseDouble(p.getProperty("seconds")),
                    Long.parseLong(p.getProperty("vmhwm_kb")) >> 10, Long.parseLong(p.getProperty("heap_peak_mb")),
                    p.getProperty("stages"));
        }
        // Spark's full run also writes the state of the next incremental run (one row per unique
        // event); DuckDB writes the same tables as its last step, timed apart, so that both ratios show
        double duckStateS = stageMs(duck, "state") / 1000.0;
        System.out.printf(Locale.ROOT, "ratio spark/duckdb: %.2f (goal <= 3; both write %s)%n", sparkS / duckS,
                noState ? "the views only" : "views and state");
        if (!noState) {
            System.out.printf(Locale.ROOT, "ratio spark/duckdb without duckdb's state write (%.1f s): %.2f%n", duckStateS,
                    sparkS / (duckS - duckStateS));
        }
        boolean same = compare(StorageLayout.at(root), spark.getProperty("run_id"),
                java.nio.file.Path.of(duck.getProperty("out")));
        if (!noState) {
            same &= compareState(StorageLayout.at(root), spark.getProperty("run_id"),
                    java.nio.file.Path.of(duck.getProperty("out")).resolve("state"));
        }
        System.out.printf(Locale.ROOT, "load after: %s%n", loadAverage());
        System.exit(same ? 0 : 1);
    }

    // ---- parent ----

    /**
     * Incremental against full on the same machine: copies SOURCE's master hours except the last
     * NEW_HOURS into WORK (deleted first), runs a full recompute there, adds the last NEW_HOURS
     * hours, runs an incremental recompute, then a full one over the same hours, and checks that
     * the two published versions have equal rows (counts, sums and sketch estimates).
     */
    private static void incremental(String[] args) throws Exception {
        StorageLayout source = StorageLayout.at(args[1]);
        java.nio.file.Path workRoot = java.nio.file.Path.of(args[2]);
        int newHours = Integer.parseInt(args[3]);
        String cores = args.length > 4 ? args[4] : "2";
        String xmx = args.length > 5 ? args[5] : "4g";
        String shuffle = args.length > 6 ? args[6] : "4";
        List<Long> hours = new ArrayList<>(source.completeHours().headSet(source.cutoff().orElseThrow()));
        if (Files.exists(workRoot)) {
            try (var walk = Files.walk(workRoot)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        StorageLayout work = StorageLayout.at(workRoot.toString());
        java.nio.file.Path tmp = Files.createTempDirectory("tandem-bench-");
        System.out.printf(Locale.ROOT, "bench incremental: %d hours, the last %d new; cores=%s xmx=%s load=%s%n",
                hours.size(), newHours, cores, xmx, loadAverage());
        copyHours(source, work, hours.subList(0, hours.size() - newHours));
        Properties base = runChild(tmp, xmx, "spark", workRoot.toString(), cores, shuffle);
        copyHours(source, work, hours.subList(hours.size() - newHours, hours.size()));
        Properties inc = runChild(tmp, xmx, "spark-incremental", workRoot.toString(), cores, shuffle);
        Properties full = runChild(tmp, xmx, "spark", workRoot.toString(), cores, shuffle);
        for (Properties p : List.of(base, inc, full)) {
            System.out.printf(Locale.ROOT, "%-18s records read %10s  %7.1f s  peak RSS %5d MiB  stages %s%n",
                    p.getProperty("engine"), p.getProperty("records"), Double.parseDouble(p.getProperty("seconds")),
                    Long.parseLong(p.getProperty("vmhwm_kb")) >> 10, p.getProperty("stages"));
        }
        System.out.printf(Locale.ROOT, "ratio incremental/full: %.2f%n",
                Double.parseDouble(inc.getProperty("seconds")) / Double.parseDouble(full.getProperty("seconds")));
        boolean same = true;
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            for (ViewDefinition v : Views.ALL) {
                Map<String, long[]> a = rows(c, v, "'" + work.viewDir(inc.getProperty("run_id"), v.name()) + "/*.parquet'", true);
                Map<String, long[]> b = rows(c, v, "'" + work.viewDir(full.getProperty("run_id"), v.name()) + "/*.parquet'", true);
                boolean eq = a.size() == b.size() && a.entrySet().stream()
                        .allMatch(e -> b.containsKey(e.getKey()) && java.util.Arrays.equals(e.getValue(), b.get(e.getKey())));
                System.out.printf(Locale.ROOT, "check %-22s incremental %s full (%d rows)%n", v.name(),
                        eq ? "==" : "!=", a.size());
                same &= eq;
            }
        }
        System.out.printf(Locale.ROOT, "load after: %s%n", loadAverage());
        System.exit(same ? 0 : 1);
    }

    private static void copyHours(StorageLayout from, StorageLayout to, List<Long> hours) throws IOException {
        for (long h : hours) {
            java.nio.file.Path src = java.nio.file.Path.of(from.masterHourDir(h).toUri());
            java.nio.file.Path dst = Files.createDirectories(java.nio.file.Path.of(to.masterHourDir(h).toUri()));
            try (var files = Files.list(src)) {
                for (java.nio.file.Path f : files.toList()) {
                    Files.copy(f, dst.resolve(f.getFileName()));
                }
            }
        }
    }

    private static Properties runChild(java.nio.file.Path work, String xmx, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.SEPARATOR.equals("/") ? System.getProperty("java.home") + "/bin/java" : "java");
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("-Dlog4j") || a.startsWith("-XX:+Ignore")
                        || a.startsWith("-Dio.netty")).toList());
        cmd.add("-Xmx" + xmx);
        cmd.add("-XX:+UseParallelGC"); // as scripts/tandem runs batch jobs (throughput work)
        String extra = System.getenv("BENCH_CHILD_OPTS"); // e.g. -XX:StartFlightRecording=filename=x.jfr
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(SparkDuckDbBench.class.getName());
        cmd.add("--child");
        cmd.add(work.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IllegalStateException(args[0] + " child failed with exit code " + rc);
        }
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(work.resolve(args[0] + ".properties"))) {
            props.load(r);
        }
        return props;
    }

    /** Both engines' rows, key by key: counts and sums exactly, distinct counts within the sketch error. */
    static boolean compare(StorageLayout layout, String runId, java.nio.file.Path duckOut) throws SQLException {
        boolean same = true;
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
            for (ViewDefinition v : Views.ALL) {
                Map<String, long[]> duck = rows(c, v, "'" + duckOut.resolve(v.name() + ".parquet") + "'", false);
                Map<String, long[]> spark = rows(c, v, "'" + layout.viewDir(runId, v.name()) + "/*.parquet'", true);
                int missing = 0;
                int differ = 0;
                int distinctOff = 0;
                double maxErr = 0;
                double sumErr = 0;
                long distinctN = 0;
                for (Map.Entry<String, long[]> e : duck.entrySet()) {
                    long[] s = spark.get(e.getKey());
                    if (s == null) {
                        missing++;
                        continue;
                    }
                    long[] d = e.getValue();
                    for (int i = 0; i < d.length; i++) {
                        if (v.metrics().get(i).kind() == MetricKind.DISTINCT) {
                            double err = d[i] == 0 ? (s[i] == 0 ? 0 : 1) : Math.abs(s[i] - d[i]) / (double) d[i];
                            maxErr = Math.max(maxErr, err);
                            sumErr += err;
                            distinctN++;
                            if (Math.abs(s[i] - d[i]) > Math.max(1, DISTINCT_TOLERANCE_SIGMAS * HLL_RSE * d[i])) {
                                distinctOff++;
                            }
                        } else if (s[i] != d[i]) {
                            differ++;
                        }
                    }
                }
                List<String> extras = spark.keySet().stream().filter(k -> !duck.containsKey(k)).toList();
                int extra = extras.size();
                if (missing + extra > 0) {
                    System.out.println("  only in duckdb: " + duck.keySet().stream().filter(k -> !spark.containsKey(k))
                            .limit(5).map(k -> k.replace('\u0001', '|')).toList()
                            + "; only in spark: " + extras.stream().limit(5).map(k -> k.replace('\u0001', '|')).toList());
                }
                boolean ok = missing == 0 && extra == 0 && differ == 0 && distinctOff == 0;
                same &= ok;
                System.out.printf(Locale.ROOT, "check %-22s %s: rows spark=%d duckdb=%d, missing=%d extra=%d, "
                                + "count/sum mismatches=%d, distinct: %d compared, max rel err %.4f, mean %.5f, "
                                + "outside %.0f sigma (%.1f%%)=%d%n",
                        v.name(), ok ? "EQUAL" : "DIFFERENT", spark.size(), duck.size(), missing, extra, differ,
                        distinctN, maxErr, distinctN == 0 ? 0 : sumErr / distinctN, DISTINCT_TOLERANCE_SIGMAS,
                        100 * DISTINCT_TOLERANCE_SIGMAS * HLL_RSE, distinctOff);
            }
        }
        return same;
    }

    /** A stage's milliseconds from a child's {@code stages} map ({@code {a=1, b=2}}); 0 when absent. */
    static long stageMs(Properties p, String stage) {
        for (String kv : p.getProperty("stages").replaceAll("[{} ]", "").split(",")) {
            String[] t = kv.split("=");
            if (t[0].equals(stage)) {
                return Long.parseLong(t[1]);
            }
        }
        return 0;
    }

    /** Both engines' incremental state: the same number of log rows per type and of attributed clicks. */
    static boolean compareState(StorageLayout layout, String runId, java.nio.file.Path duckState) throws SQLException {
        String sparkDir = RunState.dir(layout, runId).toUri().getPath();
        String sql = "SELECT (SELECT list(n ORDER BY type_code) FROM (SELECT type_code, count(*) AS n FROM read_parquet('%s') GROUP BY type_code)),"
                + " (SELECT count(*) FROM read_parquet('%s'))";
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            String[] counts = new String[2];
            String[][] files = {{sparkDir + "/log/*.parquet", sparkDir + "/attributed_clicks/*.parquet"},
                    {duckState.resolve("log.parquet").toString(), duckState.resolve("attributed_clicks.parquet").toString()}};
            for (int i = 0; i < 2; i++) {
                try (ResultSet rs = s.executeQuery(String.format(Locale.ROOT, sql, files[i][0], files[i][1]))) {
                    rs.next();
                    counts[i] = "log rows by type " + rs.getString(1) + ", attributed clicks " + rs.getLong(2);
                }
            }
            boolean ok = counts[0].equals(counts[1]);
            System.out.printf(Locale.ROOT, "check %-22s %s: spark %s; duckdb %s%n", "state", ok ? "EQUAL" : "DIFFERENT",
                    counts[0], counts[1]);
            return ok;
        }
    }

    /** key (dims + bucket millis) → metric values in the view's metric order (sketches as estimates). */
    private static Map<String, long[]> rows(Connection c, ViewDefinition v, String parquet, boolean sketches)
            throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT ");
        for (String d : v.dimensionNames()) {
            sql.append(d).append(", ");
        }
        sql.append(sketches ? "epoch_ms(bucket_start)" : "bucket_start");
        for (MetricDefinition m : v.metrics()) {
            sql.append(", ").append(m.name()).append(sketches && m.kind() == MetricKind.DISTINCT ? "_sketch" : "");
        }
        sql.append(" FROM read_parquet(").append(parquet).append(")");
        Map<String, long[]> out = new HashMap<>();
        int nd = v.dimensionNames().size();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql.toString())) {
            while (rs.next()) {
                StringBuilder key = new StringBuilder();
                for (int i = 1; i <= nd; i++) {
                    key.append(rs.getString(i)).append('\u0001');
                }
                key.append(rs.getLong(nd + 1));
                long[] vals = new long[v.metrics().size()];
                for (int i = 0; i < vals.length; i++) {
                    int col = nd + 2 + i;
                    vals[i] = sketches && v.metrics().get(i).kind() == MetricKind.DISTINCT
                            ? Hll.estimateCount(Hll.fromBytes(rs.getBytes(col))) : rs.getLong(col);
                }
                if (out.put(key.toString(), vals) != null) {
                    throw new IllegalStateException(v.name() + ": duplicate key " + key);
                }
            }
        }
        return out;
    }

    // ---- children ----

    private static void child(String[] args) throws Exception {
        java.nio.file.Path work = java.nio.file.Path.of(args[1]);
        String engine = args[2];
        String root = args[3];
        int cores = Integer.parseInt(args[4]);
        boolean keepState = !(args.length > 6 && args[6].equals("no-state"));
        Properties out = new Properties();
        out.setProperty("engine", engine);
        if (engine.startsWith("spark")) {
            SparkSession.Builder builder = SparkSession.builder();
            if (!Boolean.getBoolean("tandem.defaultCache")) {
                ColumnarCache.install(builder);
            }
            try (SparkSession spark = builder.appName("tandem-bench").master("local[" + cores + "]")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", args[5])
                    .config("spark.sql.session.timeZone", "UTC")
                    .getOrCreate()) {
                StorageLayout layout = StorageLayout.at(root, spark.sparkContext().hadoopConfiguration());
                long t0 = System.nanoTime();
                SparkRecomputeJob job = new SparkRecomputeJob(spark, layout);
                if (!keepState) {
                    job.withoutState();
                }
                SparkRecomputeJob.Outcome o = job.run(
                        engine.equals("spark") ? SparkRecomputeJob.Mode.FULL : SparkRecomputeJob.Mode.INCREMENTAL);
                double secs = (System.nanoTime() - t0) / 1e9;
                RunManifest m = o.manifest();
                out.setProperty("seconds", Double.toString(secs));
                out.setProperty("records", Long.toString(m.inputs().get("records")));
                out.setProperty("run_id", o.runId());
                out.setProperty("stages", m.timingsMs().toString());
                out.setProperty("inputs", m.inputs().toString());
            }
        } else {
            StorageLayout layout = StorageLayout.at(root);
            SortedSet<Long> hours = layout.completeHours().headSet(layout.cutoff().orElseThrow());
            List<String> files = new ArrayList<>();
            for (long h : hours) {
                for (Path p : layout.masterHourFiles(h)) {
                    files.add(p.toUri().getPath());
                }
            }
            java.nio.file.Path dir = Files.createDirectories(work.resolve("duckdb-out"));
            java.nio.file.Path tmp = Files.createDirectories(work.resolve("duckdb-tmp"));
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
                s.execute("SET threads = " + cores);
                s.execute("SET memory_limit = '" + args[5].toUpperCase(Locale.ROOT) + "B'");
                s.execute("SET temp_directory = '" + tmp + "'");
                long t0 = System.nanoTime();
                java.nio.file.Path state = keepState ? Files.createDirectories(dir.resolve("state")) : null;
                Map<String, Long> stages = DuckDbViews.run(c, files, dir, state);
                double secs = (System.nanoTime() - t0) / 1e9;
                out.setProperty("seconds", Double.toString(secs));
                out.setProperty("stages", stages.toString());
                out.setProperty("out", dir.toString());
                try (ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM valid), (SELECT count(*) FROM d), "
                        + "(SELECT count(*) FROM att)")) {
                    rs.next();
                    out.setProperty("inputs", "valid=" + rs.getLong(1) + " unique_events=" + rs.getLong(2)
                            + " attributed_clicks=" + rs.getLong(3));
                }
            }
        }
        out.setProperty("vmhwm_kb", Long.toString(vmHwmKb()));
        out.setProperty("heap_peak_mb", Long.toString(peakHeapMiB()));
        System.out.printf(Locale.ROOT, "bench %s: %.1f s, stages %s, inputs %s%n", engine,
                Double.parseDouble(out.getProperty("seconds")), out.getProperty("stages"), out.getProperty("inputs"));
        try (Writer w = Files.newBufferedWriter(work.resolve(engine + ".properties"))) {
            out.store(w, engine);
        }
    }

    static long vmHwmKb() throws IOException {
        for (String line : Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    static long peakHeapMiB() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak >> 20;
    }

    static String loadAverage() {
        try {
            return Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }
}
