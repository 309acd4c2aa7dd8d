package dev.tandem.datasets.generate;

import dev.tandem.core.event.LogRecord;
import dev.tandem.core.time.IngestTags;
import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Generates the history of {@code tandem.events} as the broker would have stored it: records in
 * log order, each with an ingest time, the partition its user_id key hashes to (Kafka's murmur2,
 * as the default partitioner does) and consecutive offsets per partition. Hour by hour, so memory
 * stays bounded by one hour of records whatever the volume.
 *
 * <p>Deterministic: the output is a pure function of the config, the first hour and the number of
 * hours.
 */
public final class HistoryGenerator {

    /** Relative traffic per UTC hour of day: quiet nights, a midday plateau, an evening peak. */
    private static final double[] DAILY_RHYTHM = rhythm();

    private final GeneratorConfig cfg;
    private final long firstHour;
    private final int hours;
    private final GeneratorStats stats = new GeneratorStats();

    public HistoryGenerator(GeneratorConfig cfg, long firstHour, int hours) {
        if (!IngestTags.isHourStart(firstHour)) {
            throw new IllegalArgumentException("firstHour must be an hour start");
        }
        if (hours < 0) {
            throw new IllegalArgumentException("hours must be ≥ 0");
        }
        this.cfg = cfg;
        this.firstHour = firstHour;
        this.hours = hours;
    }

    public long firstHour() {
        return firstHour;
    }

    /** The hour after the last generated one: where the live log takes over. */
    public long endHour() {
        return firstHour + hours * IngestTags.HOUR_MS;
    }

    public GeneratorStats stats() {
        return stats;
    }

    /**
     * Generates hour by hour; {@code hourSink} receives each hour's records in log order (an
     * empty list for an hour without records).
     */
    public void generate(HourSink hourSink) throws Exception {
        SplittableRandom rnd = new SplittableRandom(cfg.seed());
        EventFactory factory = new EventFactory(cfg, rnd.split());
        SplittableRandom timing = rnd.split();
        long[] nextOffset = new long[cfg.partitions()];
        // retries scheduled past the end of their hour
        PriorityQueue<Pending> retries = new PriorityQueue<>(Comparator.comparingLong(Pending::ingestTime));
        double carry = 0;
        for (int h = 0; h < hours; h++) {
            long hourStart = firstHour + h * IngestTags.HOUR_MS;
            long hourEnd = hourStart + IngestTags.HOUR_MS;
            int hourOfDay = (int) Math.floorMod(hourStart / IngestTags.HOUR_MS, 24);
            double exact = cfg.eventsPerDay() * DAILY_RHYTHM[hourOfDay] + carry;
            long n = (long) Math.floor(exact);
            carry = exact - n;

            long[] times = new long[(int) n];
            for (int i = 0; i < n; i++) {
                times[i] = hourStart + timing.nextLong(0, IngestTags.HOUR_MS);
            }
            java.util.Arrays.sort(times);
            List<Pending> hour = new ArrayList<>((int) n + 16);
            for (long t : times) {
                EventFactory.Made m = factory.next(t);
                stats.record(m);
                hour.add(new Pending(t, m.key(), m.value()));
                if (timing.nextDouble() < cfg.duplicateRate() && m.badReason() == null) {
                    // a producer retry: the same bytes again, 100 ms to 30 s later
                    retries.add(new Pending(t + timing.nextLong(100, 30_000), m.key(), m.value()));
                    stats.duplicate();
                }
            }
            while (!retries.isEmpty() && retries.peek().ingestTime() < hourEnd) {
                hour.add(retries.poll());
            }
            hour.sort(Comparator.comparingLong(Pending::ingestTime));
            List<LogRecord> out = new ArrayList<>(hour.size());
            for (Pending p : hour) {
                int partition = partitionOf(p.key(), cfg.partitions());
                out.add(new LogRecord(p.value(), p.ingestTime(), partition, nextOffset[partition]++));
            }
            hourSink.accept(hourStart, out);
        }
        // retries past the last hour belong to the live log; drop them from the history count
        stats.unscheduled(retries.size());
    }

    /** Convenience for tests and samples: every record in log order. */
    public List<LogRecord> generateAll() throws Exception {
        List<LogRecord> all = new ArrayList<>();
        generate((hour, records) -> all.addAll(records));
        return all;
    }

    /** The partition Kafka's default partitioner gives a keyed record. */
    public static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** Receives one complete ingest hour. */
    @FunctionalInterface
    public interface HourSink {
        void accept(long hourStart, List<LogRecord> records) throws Exception;
    }

    private record Pending(long ingestTime, String key, byte[] value) {
    }

    private static double[] rhythm() {
        double[] w = new double[24];
        double sum = 0;
        for (int h = 0; h < 24; h++) {
            // a trough at 04:00 UTC, a broad day, a peak around 20:00
            w[h] = 0.35 + 0.5 * Math.max(0, Math.sin((h - 6) / 24.0 * 2 * Math.PI)) + 0.45 * Math.exp(-Math.pow(h - 20, 2) / 6);
            sum += w[h];
        }
        for (int h = 0; h < 24; h++) {
            w[h] /= sum;
        }
        return w;
    }

}
