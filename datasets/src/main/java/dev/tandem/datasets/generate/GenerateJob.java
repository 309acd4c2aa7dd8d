package dev.tandem.datasets.generate;

import dev.tandem.core.time.IngestTags;
import dev.tandem.datasets.parquet.MasterDatasetWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.TreeMap;

/** Generates history and writes it into the master dataset, hour by hour, logging progress per day. */
public final class GenerateJob {

    private static final Logger LOG = LoggerFactory.getLogger(GenerateJob.class);

    private GenerateJob() {
    }

    public static GenerateSummary run(HistoryGenerator generator, MasterDatasetWriter writer) throws Exception {
        long t0 = System.currentTimeMillis();
        long[] totals = new long[3]; // records, valid, quarantined
        generator.generate((hour, records) -> {
            MasterDatasetWriter.HourCounts c = writer.writeHour(hour, records);
            totals[0] += c.records();
            totals[1] += c.valid();
            totals[2] += c.quarantined();
            if (c.skipped()) {
                LOG.info("hour {} already complete, left as it is", IngestTags.hourLabel(hour));
            }
            if (Math.floorMod(hour + IngestTags.HOUR_MS, IngestTags.DAY_MS) == 0) {
                LOG.info("wrote day {}: {} records so far", IngestTags.hourLabel(hour).substring(0, 10), totals[0]);
            }
        });
        GeneratorStats s = generator.stats();
        return new GenerateSummary(generator.firstHour(), generator.endHour(), totals[0], totals[1], totals[2],
                s.duplicates(), s.late(), new TreeMap<>(s.badByReason()),
                System.currentTimeMillis() - t0);
    }
}
