package dev.tandem.batch.bench;

import dev.tandem.batch.mapreduce.Counters;
import dev.tandem.batch.mapreduce.JobResult;
import dev.tandem.batch.mapreduce.JobRunner;
import dev.tandem.batch.mapreduce.KeyValue;
import dev.tandem.batch.mapreduce.MapReduceConfig;
import dev.tandem.batch.mapreduce.bench.BenchData;
import dev.tandem.batch.mapreduce.bench.MapReduceBench;
import dev.tandem.batch.mapreduce.jobs.MapReduceBatch;
import dev.tandem.batch.mapreduce.jobs.ViewSerdes.ViewSlot;
import dev.tandem.batch.mapreduce.jobs.WordCount;
import dev.tandem.batch.spark.SparkRecomputeJob;
import dev.tandem.core.reference.Evaluation;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.BatchViewSchema;
import dev.tandem.core.view.Terms;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewKey;
import dev.tandem.core.view.Views;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.FileSystemCounter;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import dev.tandem.batch.spark.ColumnarCache;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The MapReduce comparison of issue 4, side by side in one run: word count and the three views
 * (full recompute) at four input sizes, on
 * <ul>
 *   <li>{@code mapreduce} — the hand-written engine ({@code dev.tandem.batch.mapreduce});</li>
 *   <li>{@code spark} — Spark {@code local[2]}: {@link SparkRecomputeJob} for the views, an RDD
 *       word count ({@code textFile → flatMap → reduceByKey → saveAsTextFile});</li>
 *   <li>{@code hadoop} — Hadoop's own MapReduce 3.5.0 in local mode ({@code LocalJobRunner},
 *       {@link HadoopJobs});</li>
 *   <li>{@code plain-java} — one thread, no framework (the COST baseline): a {@code HashMap}
 *       word count, and core's {@code ReferenceEvaluator} over every master row in memory.</li>
 * </ul>
 * Every run is a fresh JVM (same heap, flags and classpath), so no run inherits another's JIT
 * or heap. Every run writes its output in a canonical text form, which must equal the plain-Java
 * run's byte for byte (for the views that is core's reference evaluator, the ground truth): the
 * harness stops at the first difference. It writes {@code docs/benchmarks/mapreduce-comparison.csv}
 * (or {@code --csv}).
 *
 * <pre>
 * benchmarks/mapreduce-comparison.sh [--quick]     # wraps the java command and the plot
 * </pre>
 */
public final class ComparisonBench {

    static final List<String> SYSTEMS = List.of("plain-java", "mapreduce", "spark", "hadoop");
    static final List<String> JOBS = List.of("wordcount", "views");
    static final int SLOTS = 2;
    static final int REDUCE_TASKS = 4;
    static final int SORT_MB = 64;
    static final String CSV_HEADER = "job,engine,input_events,seconds,process_seconds,startup_seconds,peak_mib,"
            + "peak_heap_mib,cpu_seconds,spilled_records,spilled_mib,disk_written_mib,output_rows,counters,source";

    private ComparisonBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(args[1], args[2], Integer.parseInt(args[3]), java.nio.file.Path.of(args[4]), java.nio.file.Path.of(args[5]));
            return;
        }
        java.nio.file.Path work = java.nio.file.Path.of("target/mr-comparison");
        java.nio.file.Path csv = java.nio.file.Path.of("docs/benchmarks/mapreduce-comparison.csv");
        List<Integer> sizes = List.of(200_000, 400_000, 800_000, 1_600_000);
        List<String> systems = SYSTEMS;
        List<String> jobs = JOBS;
        String heap = "4g";
        String source = "ComparisonBench";
        boolean prepareOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> sizes = List.of(25_000, 50_000, 100_000, 200_000);
                case "--sizes" -> sizes = Arrays.stream(args[++i].split(",")).map(s -> Integer.parseInt(s.trim())).toList();
                case "--work" -> work = java.nio.file.Path.of(args[++i]);
                case "--csv" -> csv = java.nio.file.Path.of(args[++i]);
                case "--systems" -> systems = List.of(args[++i].split(","));
                case "--jobs" -> jobs = List.of(args[++i].split(","));
                case "--child-heap" -> heap = args[++i];
                case "--source" -> source = args[++i];
                case "--prepare-only" -> prepareOnly = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; usage: ComparisonBench [--quick | --sizes N,N,..] [--work DIR] [--csv FILE] "
                        + "[--systems plain-java,mapreduce,spark,hadoop] [--jobs wordcount,views] [--child-heap 4g] [--source TEXT] "
                        + "[--prepare-only]");
            }
        }
        if (!systems.contains("plain-java")) {
            throw new IllegalArgumentException("plain-java is the reference every output is checked against; keep it");
        }
        Files.createDirectories(work);
        if (prepareOnly) { // inputs are generated once and kept: make them before taking a benchmark lock
            for (int n : sizes) {
                prepare(work, n, jobs);
            }
            return;
        }
        System.out.printf(Locale.ROOT, "comparison: sizes %s, systems %s, jobs %s; %d cores, child heap %s; work %s%n",
                sizes, systems, jobs, Runtime.getRuntime().availableProcessors(), heap, work.toAbsolutePath());
        System.out.printf(Locale.ROOT, "load average at start: %s%n", loadAverage());
        List<Map<String, String>> rows = new ArrayList<>();
        for (int n : sizes) {
            prepare(work, n, jobs);
            for (String job : jobs) {
                java.nio.file.Path reference = null;
                for (String system : systems.stream().sorted((a, b) -> a.equals("plain-java") ? -1 : b.equals("plain-java") ? 1 : 0).toList()) {
                    Map<String, String> r = launch(work, system, job, n, heap);
                    java.nio.file.Path out = java.nio.file.Path.of(r.get("canonical"));
                    if (reference == null) {
                        reference = out;
                    } else {
                        checkSame(job, n, system, reference, out);
                        Files.delete(out);
                    }
                    r.put("source", source + " " + Instant.now().toString().substring(0, 10) + " (load " + loadAverage() + ")");
                    rows.add(r);
                    writeCsv(csv, rows); // after every run, so an interrupted run keeps what it measured
                    System.out.printf(Locale.ROOT, "%-9s %-10s %,10d  %7.2f s (cpu %7.2f s, process %6.2f s)  peak RSS %5s MiB  heap %5s MiB  "
                                    + "spilled %8s MiB  disk written %8s MiB  rows %s%n",
                            job, system, n, Double.parseDouble(r.get("seconds")), Double.parseDouble(r.get("cpu_seconds")),
                            Double.parseDouble(r.get("process_seconds")),
                            r.get("peak_mib"), r.get("peak_heap_mib"), r.get("spilled_mib"), r.get("disk_written_mib"),
                            r.get("output_rows"));
                }
                if (reference != null) {
                    Files.deleteIfExists(reference);
                }
            }
        }
        writeCsv(csv, rows);
        System.out.printf(Locale.ROOT, "load average at end: %s%nwrote %s%n", loadAverage(), csv);
        printRatios(rows);
    }

    // ---- parent -------------------------------------------------------------------------------

    static java.nio.file.Path textFile(java.nio.file.Path work, int n) {
        return work.resolve("input/text-" + n + ".txt");
    }

    static java.nio.file.Path masterRoot(java.nio.file.Path work, int n) {
        return work.resolve("input/master-" + n);
    }

    /** Generates the inputs of size n once (deterministic; kept between runs of the harness). */
    static void prepare(java.nio.file.Path work, int n, List<String> jobs) throws IOException {
        java.nio.file.Path done = work.resolve("input/.done-" + n);
        if (Files.exists(done)) {
            return;
        }
        long t0 = System.nanoTime();
        Files.createDirectories(work.resolve("input"));
        MapReduceBench.deleteRecursively(masterRoot(work, n));
        BenchData.writeText(textFile(work, n), n, n);
        BenchData.writeMaster(StorageLayout.at(masterRoot(work, n).toString()), n, n);
        Files.writeString(done, "");
        System.out.printf(Locale.ROOT, "inputs for %,d: %,d lines (%.1f MiB), %,d events, generated in %.1f s%n", n, n,
                Files.size(textFile(work, n)) / 1048576.0, n, (System.nanoTime() - t0) / 1e9);
    }

    /** Runs one (system, job, size) in a fresh JVM with this JVM's flags and classpath. */
    static Map<String, String> launch(java.nio.file.Path work, String system, String job, int n, String heap)
            throws IOException, InterruptedException {
        java.nio.file.Path runDir = work.resolve("runs/" + job + "-" + system + "-" + n);
        MapReduceBench.deleteRecursively(runDir);
        Files.createDirectories(runDir);
        java.nio.file.Path result = runDir.resolve("result.properties");
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-Xmx") && !a.startsWith("-Xms")) {
                cmd.add(a);
            }
        }
        cmd.add("-Xmx" + heap);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ComparisonBench.class.getName(),
                "--child", system, job, Integer.toString(n), work.toAbsolutePath().toString(), runDir.toAbsolutePath().toString()));
        java.nio.file.Path log = runDir.resolve("run.log");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(job + "/" + system + " at " + n + " did not finish in 30 minutes; log " + log);
        }
        double process = (System.nanoTime() - t0) / 1e9;
        if (p.exitValue() != 0 || !Files.exists(result)) {
            List<String> lines = Files.readAllLines(log);
            throw new IllegalStateException(job + "/" + system + " at " + n + " failed (exit " + p.exitValue() + "), log "
                    + log + ":\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
        }
        Properties props = new Properties();
        try (var in = Files.newInputStream(result)) {
            props.load(in);
        }
        Map<String, String> row = new LinkedHashMap<>();
        row.put("job", job);
        row.put("engine", system);
        row.put("input_events", Integer.toString(n));
        for (String k : List.of("seconds", "cpu_seconds", "startup_seconds", "peak_mib", "peak_heap_mib", "spilled_records", "spilled_mib",
                "disk_written_mib", "output_rows", "counters", "canonical")) {
            row.put(k, props.getProperty(k, ""));
        }
        row.put("process_seconds", String.format(Locale.ROOT, "%.2f", process));
        return row;
    }

    /** Fails loudly when a system's output differs from the reference's. */
    static void checkSame(String job, int n, String system, java.nio.file.Path reference, java.nio.file.Path actual)
            throws IOException {
        List<String> expected = Files.readAllLines(reference);
        List<String> got = Files.readAllLines(actual);
        if (expected.equals(got)) {
            return;
        }
        List<String> diffs = new ArrayList<>();
        for (int i = 0; i < Math.max(expected.size(), got.size()) && diffs.size() < 10; i++) {
            String e = i < expected.size() ? expected.get(i) : "<none>";
            String a = i < got.size() ? got.get(i) : "<none>";
            if (!e.equals(a)) {
                diffs.add("line " + (i + 1) + ": expected " + e + " but was " + a);
            }
        }
        throw new IllegalStateException(job + " on " + system + " at " + n + " differs from plain-java (" + expected.size()
                + " reference lines, " + got.size() + " lines):\n  " + String.join("\n  ", diffs));
    }

    static void writeCsv(java.nio.file.Path csv, List<Map<String, String>> rows) throws IOException {
        if (csv.getParent() != null) {
            Files.createDirectories(csv.getParent());
        }
        try (Writer w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            w.write(CSV_HEADER + "\n");
            for (Map<String, String> r : rows) {
                List<String> cells = new ArrayList<>();
                for (String col : CSV_HEADER.split(",")) {
                    String v = r.getOrDefault(col, "");
                    cells.add(v.contains(",") || v.contains("\"") ? '"' + v.replace("\"", "\"\"") + '"' : v);
                }
                w.write(String.join(",", cells) + "\n");
            }
        }
    }

    static void printRatios(List<Map<String, String>> rows) {
        for (String metric : List.of("seconds", "cpu_seconds")) {
            System.out.println("ratios of " + metric + " (this engine / other system), per input size:");
            Map<String, Double> v = new LinkedHashMap<>();
            for (Map<String, String> r : rows) {
                v.put(r.get("job") + "|" + r.get("input_events") + "|" + r.get("engine"), Double.parseDouble(r.get(metric)));
            }
            for (Map<String, String> r : rows) {
                if (!r.get("engine").equals("mapreduce")) {
                    continue;
                }
                String k = r.get("job") + "|" + r.get("input_events") + "|";
                double mr = v.get(k + "mapreduce");
                StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  %-9s %,10d:", r.get("job"),
                        Integer.parseInt(r.get("input_events"))));
                for (String other : List.of("spark", "hadoop", "plain-java")) {
                    Double o = v.get(k + other);
                    if (o != null) {
                        sb.append(String.format(Locale.ROOT, "  /%s %.2f", other, mr / o));
                    }
                }
                System.out.println(sb);
            }
        }
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    // ---- child: one measured run ----------------------------------------------------------------

    /** What a run reports besides time and memory. */
    record Outcome(long outputRows, long spilledRecords, long spilledBytes, Map<String, Long> counters) {
    }

    static void child(String system, String job, int n, java.nio.file.Path work, java.nio.file.Path runDir) throws Exception {
        java.nio.file.Path canonical = runDir.resolve("canonical.txt");
        long startup0 = System.nanoTime();
        SparkSession spark = null;
        SparkSpills spills = null;
        if (system.equals("spark")) {
            spark = ColumnarCache.install(SparkSession.builder()).appName("tandem-comparison").master("local[" + SLOTS + "]")
                    .config("spark.ui.enabled", "false")
                    .config("spark.ui.showConsoleProgress", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", Integer.toString(REDUCE_TASKS))
                    .config("spark.sql.session.timeZone", "UTC")
                    .config("spark.local.dir", runDir.resolve("spark-local").toString())
                    .getOrCreate();
            spills = new SparkSpills();
            spark.sparkContext().addSparkListener(spills);
        }
        double startup = (System.nanoTime() - startup0) / 1e9;
        long written0 = procIo("wchar");
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        Outcome o = switch (job + "/" + system) {
            case "wordcount/plain-java" -> new Outcome(MapReduceBench.plainWordCount(textFile(work, n), canonical), 0, 0, Map.of());
            case "wordcount/mapreduce" -> wordCountEngine(work, n, runDir);
            case "wordcount/spark" -> wordCountSpark(spark, work, n, runDir);
            case "wordcount/hadoop" -> wordCountHadoop(work, n, runDir);
            case "views/plain-java" -> viewsPlain(work, n, canonical);
            case "views/mapreduce" -> viewsEngine(work, n, runDir);
            case "views/spark" -> viewsSpark(spark, work, n, runDir);
            case "views/hadoop" -> viewsHadoop(work, n, runDir);
            default -> throw new IllegalArgumentException("no such run: " + job + "/" + system);
        };
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpu = (processCpuNanos() - cpu0) / 1e9;
        long written = procIo("wchar") - written0;
        long rss = procStatusKb("VmHWM") * 1024;
        long heap = peakHeap();
        Map<String, Long> counters = new LinkedHashMap<>(o.counters());
        long spilledBytes = o.spilledBytes();
        if (spark != null) {
            spark.stop(); // drains the listener bus, so every task's metrics are in
            spilledBytes = spills.disk.get();
            counters.put("memoryBytesSpilled", spills.memory.get());
            counters.put("diskBytesSpilled", spills.disk.get());
            counters.put("shuffleBytesWritten", spills.shuffleWrite.get());
        }
        if (!Files.exists(canonical)) {
            canonicalize(system, job, work, n, runDir, canonical);
        }
        long lines;
        try (var s = Files.lines(canonical)) {
            lines = s.count();
        }
        if (o.outputRows() >= 0 && o.outputRows() != lines) {
            throw new IllegalStateException(job + "/" + system + " reports " + o.outputRows() + " output rows but wrote " + lines);
        }
        Properties p = new Properties();
        p.setProperty("seconds", String.format(Locale.ROOT, "%.2f", seconds));
        p.setProperty("cpu_seconds", String.format(Locale.ROOT, "%.2f", cpu));
        p.setProperty("startup_seconds", String.format(Locale.ROOT, "%.2f", startup));
        p.setProperty("peak_mib", Long.toString(rss >> 20));
        p.setProperty("peak_heap_mib", Long.toString(heap >> 20));
        // Spark reports spilled bytes, not records; Hadoop reports spilled records, not bytes
        p.setProperty("spilled_records", system.equals("spark") ? "" : Long.toString(o.spilledRecords()));
        p.setProperty("spilled_mib", system.equals("hadoop") ? "" : String.format(Locale.ROOT, "%.1f", spilledBytes / 1048576.0));
        p.setProperty("disk_written_mib", String.format(Locale.ROOT, "%.1f", written / 1048576.0));
        p.setProperty("output_rows", Long.toString(lines));
        StringBuilder c = new StringBuilder();
        counters.forEach((k, v) -> c.append(c.length() == 0 ? "" : " ").append(k).append('=').append(v));
        p.setProperty("counters", c.toString());
        p.setProperty("canonical", canonical.toString());
        try (var out = Files.newOutputStream(runDir.resolve("result.properties"))) {
            p.store(out, system + " " + job + " " + n);
        }
    }

    /** Sums Spark's task metrics as tasks end. */
    static final class SparkSpills extends SparkListener {
        final AtomicLong disk = new AtomicLong();
        final AtomicLong memory = new AtomicLong();
        final AtomicLong shuffleWrite = new AtomicLong();

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            TaskMetrics m = end.taskMetrics();
            if (m != null) {
                disk.addAndGet(m.diskBytesSpilled());
                memory.addAndGet(m.memoryBytesSpilled());
                shuffleWrite.addAndGet(m.shuffleWriteMetrics().bytesWritten());
            }
        }
    }

    static MapReduceConfig engineConfig(java.nio.file.Path runDir) {
        return MapReduceConfig.defaults(runDir.resolve("local")).withMapSlots(SLOTS).withReduceSlots(SLOTS)
                .withReduceTasks(REDUCE_TASKS).withSortBufferBytes(SORT_MB << 20);
    }

    private static Map<String, Long> engineCounters(List<JobResult> results) {
        Map<String, Long> sum = new LinkedHashMap<>();
        for (JobResult r : results) {
            for (String k : List.of(Counters.SPILLS, Counters.MERGE_PASSES, Counters.SHUFFLE_BYTES, Counters.MAP_TASKS)) {
                sum.merge(k, r.counters().get(k), Long::sum);
            }
        }
        return sum;
    }

    static Outcome wordCountEngine(java.nio.file.Path work, int n, java.nio.file.Path runDir) throws IOException {
        MapReduceConfig cfg = engineConfig(runDir);
        java.nio.file.Path text = textFile(work, n);
        // at most 32 MiB, and at least two splits per map slot, as Spark sizes its file partitions
        long splitBytes = Math.max(1 << 20, Math.min(cfg.textSplitBytes(), Files.size(text) / (2L * cfg.mapSlots())));
        JobResult r = new JobRunner(cfg).run(WordCount.overText(List.of(new Path(text.toUri())), splitBytes,
                new Path(runDir.resolve("out").toUri())).build());
        Counters c = r.counters();
        return new Outcome(c.get(Counters.REDUCE_OUTPUT_RECORDS), c.get(Counters.SPILLED_RECORDS), c.get(Counters.SPILLED_BYTES),
                engineCounters(List.of(r)));
    }

    static Outcome wordCountSpark(SparkSession spark, java.nio.file.Path work, int n, java.nio.file.Path runDir) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        sc.textFile(textFile(work, n).toString())
                .flatMap(line -> Terms.tokenize(line).iterator())
                .mapToPair(t -> new Tuple2<>(t, 1L))
                .reduceByKey(Long::sum, REDUCE_TASKS)
                .map(t -> t._1() + "\t" + t._2())
                .saveAsTextFile(runDir.resolve("out").toString());
        return new Outcome(-1, 0, 0, Map.of());
    }

    static Outcome wordCountHadoop(java.nio.file.Path work, int n, java.nio.file.Path runDir) throws Exception {
        Configuration conf = HadoopJobs.localConf(SLOTS, SORT_MB, runDir.resolve("hadoop").toString());
        var job = HadoopJobs.wordCount(conf, new Path(textFile(work, n).toUri()), new Path(runDir.resolve("out").toUri()),
                REDUCE_TASKS);
        Map<String, Long> c = HadoopJobs.runAll(List.of(job));
        return hadoopOutcome(c, c.get("REDUCE_OUTPUT_RECORDS"));
    }

    private static Outcome hadoopOutcome(Map<String, Long> c, long rows) {
        Map<String, Long> shown = new LinkedHashMap<>();
        for (String k : List.of("SPILLED_RECORDS", FileSystemCounter.BYTES_WRITTEN.name(), "MAP_OUTPUT_MATERIALIZED_BYTES",
                "REDUCE_SHUFFLE_BYTES")) {
            shown.put(k, c.getOrDefault(k, 0L));
        }
        return new Outcome(rows, c.getOrDefault("SPILLED_RECORDS", 0L), 0, shown);
    }

    static Outcome viewsPlain(java.nio.file.Path work, int n, java.nio.file.Path canonical) throws IOException {
        StorageLayout layout = StorageLayout.at(masterRoot(work, n).toString());
        long cutoff = layout.cutoff().orElseThrow();
        Evaluation e = MapReduceBench.plainEvaluation(layout);
        List<String> lines = new ArrayList<>();
        for (ViewDefinition v : Views.ALL) {
            e.view(v).batch(cutoff).forEach((k, a) -> lines.add(viewLine(v.name(), k, a)));
        }
        writeSorted(lines, canonical);
        return new Outcome(lines.size(), 0, 0, Map.of());
    }

    static Outcome viewsEngine(java.nio.file.Path work, int n, java.nio.file.Path runDir) throws IOException {
        StorageLayout layout = StorageLayout.at(masterRoot(work, n).toString());
        MapReduceBatch.Result r = MapReduceBatch.compute(layout, engineConfig(runDir));
        Files.writeString(runDir.resolve("run-id"), r.manifest().runId());
        long rows = r.manifest().rowCounts().values().stream().mapToLong(Long::longValue).sum();
        long spilledRecords = r.jobs().stream().mapToLong(j -> j.counters().get(Counters.SPILLED_RECORDS)).sum();
        return new Outcome(rows, spilledRecords, r.spilledBytes(), engineCounters(r.jobs()));
    }

    static Outcome viewsSpark(SparkSession spark, java.nio.file.Path work, int n, java.nio.file.Path runDir) throws IOException {
        StorageLayout layout = StorageLayout.at(masterRoot(work, n).toString(), spark.sparkContext().hadoopConfiguration());
        SparkRecomputeJob.Outcome o = new SparkRecomputeJob(spark, layout).run(SparkRecomputeJob.Mode.FULL);
        Files.writeString(runDir.resolve("run-id"), o.runId());
        return new Outcome(o.manifest().rowCounts().values().stream().mapToLong(Long::longValue).sum(), 0, 0, Map.of());
    }

    static Outcome viewsHadoop(java.nio.file.Path work, int n, java.nio.file.Path runDir) throws Exception {
        StorageLayout layout = StorageLayout.at(masterRoot(work, n).toString());
        long cutoff = layout.cutoff().orElseThrow();
        List<Path> files = new ArrayList<>();
        for (long h : layout.completeHours().headSet(cutoff)) {
            files.addAll(layout.masterHourFiles(h));
        }
        Configuration conf = HadoopJobs.localConf(SLOTS, SORT_MB, runDir.resolve("hadoop").toString());
        Path tmp = new Path(runDir.resolve("steps").toUri());
        var jobs = HadoopJobs.viewJobs(conf, files, cutoff, tmp, new Path(runDir.resolve("out").toUri()), REDUCE_TASKS);
        Map<String, Long> c = HadoopJobs.runAll(jobs);
        long rows = jobs.get(2).getCounters().findCounter("org.apache.hadoop.mapreduce.TaskCounter", "REDUCE_OUTPUT_RECORDS").getValue();
        return hadoopOutcome(c, rows);
    }

    // ---- canonical outputs ----------------------------------------------------------------------

    static String viewLine(String view, ViewKey k, Aggregate a) {
        return view + "\t" + String.join("|", k.dims()) + "\t" + k.bucketStart() + "\t" + a;
    }

    static void writeSorted(List<String> lines, java.nio.file.Path file) throws IOException {
        Collections.sort(lines);
        Files.write(file, lines, StandardCharsets.UTF_8);
    }

    /** A run's output as sorted text lines: "term TAB count", or "view TAB dims TAB bucket TAB aggregate". */
    static void canonicalize(String system, String job, java.nio.file.Path work, int n, java.nio.file.Path runDir,
                             java.nio.file.Path canonical) throws IOException {
        Configuration conf = new Configuration();
        List<String> lines = new ArrayList<>();
        if (job.equals("wordcount")) {
            Path out = new Path(runDir.resolve("out").toUri());
            FileSystem fs = out.getFileSystem(conf);
            for (FileStatus st : fs.listStatus(out, p -> p.getName().startsWith("part-"))) {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(st.getPath()), StandardCharsets.UTF_8))) {
                    for (String l = r.readLine(); l != null; l = r.readLine()) {
                        lines.add(l);
                    }
                }
            }
        } else if (system.equals("hadoop")) {
            for (KeyValue<ViewSlot, Aggregate> kv : HadoopJobs.readViews(conf, new Path(runDir.resolve("out").toUri()))) {
                lines.add(viewLine(kv.key().view(), kv.key().key(), kv.value()));
            }
        } else {
            String runId = Files.readString(runDir.resolve("run-id")).trim();
            StorageLayout layout = StorageLayout.at(masterRoot(work, n).toString());
            for (ViewDefinition v : Views.ALL) {
                Path dir = layout.viewDir(runId, v.name());
                for (FileStatus st : layout.fs().listStatus(dir, p -> p.getName().endsWith(".parquet"))) {
                    try (ParquetReader<GenericRecord> r = AvroParquetReader.<GenericRecord>builder(
                            HadoopInputFile.fromPath(st.getPath(), conf)).withDataModel(GenericData.get()).build()) {
                        for (GenericRecord rec = r.read(); rec != null; rec = r.read()) {
                            lines.add(viewLine(v.name(), BatchViewSchema.keyOf(v, rec), BatchViewSchema.aggregateOf(v, rec)));
                        }
                    }
                }
            }
        }
        writeSorted(lines, canonical);
    }

    // ---- measurements ---------------------------------------------------------------------------

    /** CPU time of this whole process (all threads, user + system), in nanoseconds. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    /** A field of /proc/self/io (wchar: bytes this process passed to write calls), or -1. */
    static long procIo(String field) {
        try {
            for (String l : Files.readAllLines(java.nio.file.Path.of("/proc/self/io"))) {
                if (l.startsWith(field + ":")) {
                    return Long.parseLong(l.substring(field.length() + 1).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** A kB field of /proc/self/status (VmHWM: peak resident set size), or -1. */
    static long procStatusKb(String field) {
        try {
            for (String l : Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (l.startsWith(field + ":")) {
                    return Long.parseLong(l.substring(field.length() + 1).replace("kB", "").trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
