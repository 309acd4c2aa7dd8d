package dev.tandem.batch.bench;

import dev.tandem.batch.spark.SparkRecomputeJob;
import dev.tandem.core.storage.RunManifest;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.batch.spark.ColumnarCache;
import org.apache.spark.sql.SparkSession;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Locale;

/**
 * Full-recompute throughput of the Spark batch job over an existing master dataset (make one with
 * {@code scripts/tandem generate}). Prints, per run: records read, wall time, records/s, the
 * stage timings, and the JVM's peak heap use. Each run publishes a new version under the root.
 *
 * <pre>
 * java @scripts/jvm.flags -Xmx6g -cp batch-jobs/target/classes:$(cat batch-jobs/target/runtime-classpath.txt) \
 *      dev.tandem.batch.bench.RecomputeBench ROOT [MASTER=local[2]] [RUNS=2] [SHUFFLE_PARTITIONS=8]
 * </pre>
 */
public final class RecomputeBench {

    private RecomputeBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: RecomputeBench ROOT [MASTER] [RUNS] [SHUFFLE_PARTITIONS]");
            System.exit(2);
        }
        String root = args[0];
        String master = args.length > 1 ? args[1] : "local[2]";
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        String shuffle = args.length > 3 ? args[3] : "8";
        try (SparkSession spark = ColumnarCache.install(SparkSession.builder()).appName("tandem-recompute-bench").master(master)
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", shuffle)
                .config("spark.sql.session.timeZone", "UTC")
                .getOrCreate()) {
            StorageLayout layout = StorageLayout.at(root, spark.sparkContext().hadoopConfiguration());
            System.out.printf(Locale.ROOT, "bench: root=%s master=%s shuffle.partitions=%s cores=%d heap.max=%d MiB%n",
                    root, master, shuffle, Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().maxMemory() >> 20);
            for (int i = 1; i <= runs; i++) {
                long t0 = System.nanoTime();
                SparkRecomputeJob.Outcome out = new SparkRecomputeJob(spark, layout).run(SparkRecomputeJob.Mode.FULL);
                double secs = (System.nanoTime() - t0) / 1e9;
                RunManifest m = out.manifest();
                long records = m.inputs().get("records");
                System.out.printf(Locale.ROOT, "run %d: records=%d hours=%d time=%.1f s  %.0f records/s  stages=%s rows=%s%n",
                        i, records, m.inputs().get("hours"), secs, records / secs, m.timingsMs(), m.rowCounts());
            }
            System.out.printf(Locale.ROOT, "peak heap used: %d MiB%n", peakHeapMiB());
        }
    }

    private static long peakHeapMiB() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak >> 20;
    }
}
