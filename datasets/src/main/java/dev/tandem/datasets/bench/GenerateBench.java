package dev.tandem.datasets.bench;

import dev.tandem.core.event.EventCodec;
import dev.tandem.core.event.LogRecord;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.time.IngestTags;
import dev.tandem.datasets.generate.GenerateJob;
import dev.tandem.datasets.generate.GenerateSummary;
import dev.tandem.datasets.generate.GeneratorConfig;
import dev.tandem.datasets.generate.HistoryGenerator;
import dev.tandem.datasets.parquet.MasterDatasetWriter;
import org.apache.hadoop.conf.Configuration;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How fast history reaches the master dataset, phase by phase:
 * generating records, decoding + validating them, and the whole generate → Parquet job.
 * <pre>
 * java -cp ... dev.tandem.datasets.bench.GenerateBench [events=1000000]
 * </pre>
 */
public final class GenerateBench {

    public static void main(String[] args) throws Exception {
        long events = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        long start = IngestTags.tagOf(1_763_596_800_000L);
        GeneratorConfig cfg = GeneratorConfig.defaults(1, events);

        // warm-up so the JIT has compiled the codec paths
        new HistoryGenerator(GeneratorConfig.defaults(2, 100_000), start, 24).generateAll();

        long t0 = System.nanoTime();
        long[] count = new long[1];
        long[] valid = new long[1];
        new HistoryGenerator(cfg, start, 24).generate((h, records) -> count[0] += records.size());
        double genSecs = (System.nanoTime() - t0) / 1e9;

        t0 = System.nanoTime();
        new HistoryGenerator(cfg, start, 24).generate((h, records) -> {
            for (LogRecord r : records) {
                if (EventCodec.get().check(r.value(), r.ingestTime()).isValid()) {
                    valid[0]++;
                }
            }
        });
        double checkSecs = (System.nanoTime() - t0) / 1e9 - genSecs;

        Path dir = Files.createTempDirectory("tandem-genbench");
        Configuration conf = new Configuration();
        GenerateSummary s = GenerateJob.run(new HistoryGenerator(cfg, start, 24),
                new MasterDatasetWriter(StorageLayout.at(dir.toString(), conf), conf));
        double jobSecs = s.millis() / 1000.0;

        System.out.printf(Locale.ROOT, "records                 %,d (%,d valid)%n", count[0], valid[0]);
        System.out.printf(Locale.ROOT, "generate only           %6.2f s  %,10.0f records/s%n", genSecs, count[0] / genSecs);
        System.out.printf(Locale.ROOT, "decode + validate only  %6.2f s  %,10.0f records/s%n", checkSecs, count[0] / checkSecs);
        System.out.printf(Locale.ROOT, "generate -> Parquet     %6.2f s  %,10.0f records/s%n", jobSecs, s.records() / jobSecs);
        System.out.printf(Locale.ROOT, "peak heap               %,d MB%n", peakHeapMb());
        System.out.printf(Locale.ROOT, "cores                   %d%n", Runtime.getRuntime().availableProcessors());
    }

    private static long peakHeapMb() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak / (1024 * 1024);
    }
}
