package dev.tandem.batch.mapreduce.bench;

import dev.tandem.batch.mapreduce.Counters;
import dev.tandem.batch.mapreduce.JobResult;
import dev.tandem.batch.mapreduce.JobRunner;
import dev.tandem.batch.mapreduce.MapReduceConfig;
import dev.tandem.batch.mapreduce.jobs.MapReduceBatch;
import dev.tandem.batch.mapreduce.jobs.MasterRows;
import dev.tandem.batch.mapreduce.jobs.WordCount;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.reference.Evaluation;
import dev.tandem.core.reference.ReferenceEvaluator;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.view.Terms;
import dev.tandem.core.view.Views;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Word count and the three views at several input sizes, on this engine and on a single-threaded
 * plain-Java loop (the COST baseline: "Scalability! But at what COST?", McSherry et al.). Prints
 * wall time, peak heap and spilled bytes per run. Inputs are generated, deterministic.
 *
 * <pre>
 * mvn -B -q -pl batch-jobs -am package -DskipTests
 * java -Xmx2g -cp batch-jobs/target/classes:$(cat batch-jobs/target/runtime-classpath.txt) \
 *   dev.tandem.batch.mapreduce.bench.MapReduceBench /tmp/mr-bench 250000,500000,1000000
 * </pre>
 */
public final class MapReduceBench {

    private MapReduceBench() {
    }

    public static void main(String[] args) throws Exception {
        java.nio.file.Path work = java.nio.file.Path.of(args.length > 0 ? args[0] : "target/mr-bench");
        List<Integer> sizes = new ArrayList<>();
        for (String s : (args.length > 1 ? args[1] : "250000,500000,1000000").split(",")) {
            sizes.add(Integer.parseInt(s.trim()));
        }
        int sortBufferMb = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        deleteRecursively(work);
        Files.createDirectories(work);
        MapReduceConfig cfg = MapReduceConfig.defaults(work.resolve("local")).withSortBufferBytes(sortBufferMb << 20);
        System.out.printf("machine: %d cores, max heap %d MiB; engine: %d map / %d reduce slots, %d reduce tasks, sort buffer %d MiB%n",
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, cfg.mapSlots(),
                cfg.reduceSlots(), cfg.reduceTasks(), cfg.sortBufferBytes() >> 20);
        System.out.printf("%-10s %-22s %10s %10s %12s %14s%n", "input", "run", "seconds", "peak MiB", "spilled MiB", "output rows");
        for (int n : sizes) {
            // ---- word count over text: n lines ----
            java.nio.file.Path text = work.resolve("text-" + n + ".txt");
            BenchData.writeText(text, n, n);
            String label = n + " lines";
            // splits: at most 32 MiB, and at least two per map slot, as Spark sizes its file partitions
            long splitBytes = Math.max(1 << 20, Math.min(cfg.textSplitBytes(), Files.size(text) / (2L * cfg.mapSlots())));
            measure(label, "wordcount/mapreduce", () -> {
                Path out = new Path(work.resolve("wc-mr-" + n).toUri());
                JobResult r = new JobRunner(cfg).run(WordCount.overText(List.of(new Path(text.toUri())),
                        splitBytes, out).build());
                return new long[]{r.counters().get(Counters.SPILLED_BYTES), r.counters().get(Counters.REDUCE_OUTPUT_RECORDS)};
            });
            measure(label, "wordcount/plain-java", () -> new long[]{0, plainWordCount(text, work.resolve("wc-plain-" + n + ".txt"))});

            // ---- views: n events ----
            StorageLayout layout = StorageLayout.at(work.resolve("data-" + n).toString());
            BenchData.writeMaster(layout, n, n);
            String vlabel = n + " events";
            measure(vlabel, "views/mapreduce", () -> {
                MapReduceBatch.Result res = MapReduceBatch.compute(layout, cfg);
                long rows = res.manifest().rowCounts().values().stream().mapToLong(Long::longValue).sum();
                return new long[]{res.spilledBytes(), rows};
            });
            measure(vlabel, "views/plain-java", () -> new long[]{0, plainViews(layout)});
            deleteRecursively(work.resolve("data-" + n));
            Files.deleteIfExists(text);
        }
    }

    @FunctionalInterface
    interface Body {
        long[] run() throws Exception;
    }

    private static void measure(String input, String what, Body body) throws Exception {
        System.gc();
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        long t0 = System.nanoTime();
        long[] r = body.run();
        double secs = (System.nanoTime() - t0) / 1e9;
        long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        System.out.printf("%-10s %-22s %10.2f %10d %12.1f %14d%n", input, what, secs, peak >> 20, r[0] / 1048576.0, r[1]);
    }

    /** COST baseline: one thread, one hash map, then a sorted write. */
    public static long plainWordCount(java.nio.file.Path in, java.nio.file.Path out) throws IOException {
        Map<String, Long> counts = new HashMap<>();
        try (BufferedReader r = Files.newBufferedReader(in, StandardCharsets.UTF_8)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                for (String t : Terms.tokenize(line)) {
                    counts.merge(t, 1L, Long::sum);
                }
            }
        }
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (Map.Entry<String, Long> e : new TreeMap<>(counts).entrySet()) {
                w.write(e.getKey() + "\t" + e.getValue() + "\n");
            }
        }
        return counts.size();
    }

    /** COST baseline: read every master row in one thread, then core's in-memory reference evaluator. */
    static long plainViews(StorageLayout layout) throws IOException {
        long cutoff = layout.cutoff().orElseThrow();
        Evaluation e = plainEvaluation(layout);
        long rows = 0;
        for (var v : Views.ALL) {
            rows += e.view(v).batch(cutoff).size();
        }
        return rows;
    }

    /** Every master row below the cutoff, read in one thread, through core's reference evaluator. */
    public static Evaluation plainEvaluation(StorageLayout layout) throws IOException {
        long cutoff = layout.cutoff().orElseThrow();
        List<IngestedEvent> events = new ArrayList<>();
        for (long h : layout.completeHours().headSet(cutoff)) {
            for (Path f : layout.masterHourFiles(h)) {
                try (ParquetReader<GenericRecord> r = AvroParquetReader.<GenericRecord>builder(
                        HadoopInputFile.fromPath(f, layout.fs().getConf())).withDataModel(GenericData.get()).build()) {
                    for (GenericRecord rec = r.read(); rec != null; rec = r.read()) {
                        events.add(MasterRows.fromRecord(rec));
                    }
                }
            }
        }
        return ReferenceEvaluator.evaluate(events);
    }

    public static void deleteRecursively(java.nio.file.Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<java.nio.file.Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }
}
