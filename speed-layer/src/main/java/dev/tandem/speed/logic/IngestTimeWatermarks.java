package dev.tandem.speed.logic;


import dev.tandem.speed.model.RawRecord;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Watermarks over ingest time, one generator per Kafka partition. LogAppendTime is non-decreasing
 * within a partition, so "max ingest time seen − 1" is an exact watermark: no record is ever
 * behind it.
 *
 * <p>A silent partition would hold the watermark (and so every release in dedup and join) back
 * forever. Since the broker stamps every future record with its clock, a silent partition may let
 * the watermark follow the wall clock minus {@code idleDelayMs}, but only when that cannot overtake
 * records still waiting to be fetched:
 * <ul>
 *   <li>after {@code idleDelayMs} of silence if its last record was live (appended less than
 *       {@code idleDelayMs} before it arrived): the partition had caught up with the log;</li>
 *   <li>otherwise (catching up a backlog) only after {@code graceMs} of silence, which must
 *       exceed any fetch stall;</li>
 *   <li>a partition that never had a record is marked idle after {@code graceMs}: the others
 *       decide, and its first record carries the broker's "now", ahead of all of them.</li>
 * </ul>
 * This is sound while broker↔job clock skew plus fetch latency stay below {@code idleDelayMs} and
 * fetch stalls below {@code graceMs} (README "Ordering"); a record that still lands behind the
 * watermark is processed, never dropped, and counted ({@code behindWatermark}).
 */
public final class IngestTimeWatermarks implements WatermarkGenerator<RawRecord> {

    private final long idleDelayMs;
    private final long graceMs;
    private final LongSupplier clock;
    private long maxIngest = Long.MIN_VALUE;
    private long lastRecordWall;
    private long emitted = Long.MIN_VALUE;
    private boolean idle;

    public IngestTimeWatermarks(long idleDelayMs, long graceMs, LongSupplier clock) {
        this.idleDelayMs = idleDelayMs;
        this.graceMs = Math.max(graceMs, idleDelayMs);
        this.clock = clock;
        this.lastRecordWall = clock.getAsLong();
    }

    /** The strategy for a Kafka source of {@code tandem.events}. */
    public static WatermarkStrategy<RawRecord> strategy(long idleDelayMs, long graceMs) {
        return WatermarkStrategy.<RawRecord>forGenerator(ctx -> new IngestTimeWatermarks(idleDelayMs, graceMs, System::currentTimeMillis))
                .withTimestampAssigner((r, ts) -> r.ingestTime);
    }

    /**
     * The same with split-level watermark alignment: a partition whose watermark runs more than
     * {@code maxDriftMs} ahead of the slowest one is paused until the others catch up (0: off).
     * Reading the partitions evenly while a backlog is caught up keeps the records waiting for the
     * watermark in dedup and the join few; it changes neither records nor watermarks.
     */
    public static WatermarkStrategy<RawRecord> strategy(long idleDelayMs, long graceMs, long maxDriftMs) {
        WatermarkStrategy<RawRecord> s = strategy(idleDelayMs, graceMs);
        return maxDriftMs <= 0 ? s : s.withWatermarkAlignment("tandem-events", Duration.ofMillis(maxDriftMs), Duration.ofMillis(100));
    }

    /**
     * For finite inputs in log order (replays, tests): a watermark after every record, so time
     * advances deterministically with the data and never with the wall clock.
     */
    public static WatermarkStrategy<RawRecord> forOrderedInput() {
        return WatermarkStrategy.<RawRecord>forGenerator(ctx -> new WatermarkGenerator<>() {
            private long max = Long.MIN_VALUE;

            @Override
            public void onEvent(RawRecord r, long ts, WatermarkOutput out) {
                if (ts - 1 > max) {
                    max = ts - 1;
                    out.emitWatermark(new Watermark(max));
                }
            }

            @Override
            public void onPeriodicEmit(WatermarkOutput out) {
            }
        }).withTimestampAssigner((r, ts) -> r.ingestTime);
    }

    @Override
    public void onEvent(RawRecord r, long ts, WatermarkOutput out) {
        maxIngest = Math.max(maxIngest, ts);
        lastRecordWall = clock.getAsLong();
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput out) {
        long now = clock.getAsLong();
        long silent = now - lastRecordWall;
        if (maxIngest == Long.MIN_VALUE) {
            // never had a record: after the grace, leave the combined watermark to the other
            // partitions (a first record here will carry the broker's "now", ahead of all of them)
            if (silent >= graceMs && !idle) {
                idle = true;
                out.markIdle();
            }
            return;
        }
        long wm = maxIngest - 1;
        boolean wasLive = lastRecordWall - maxIngest < idleDelayMs;
        if ((wasLive && silent >= idleDelayMs) || silent >= graceMs) {
            // caught up and quiet: nothing at or below the newest ingest time can still come, and
            // nothing older than the wall clock minus the delay (a broker clock that tests moved
            // ahead only makes maxIngest the larger of the two)
            wm = Math.max(maxIngest, now - idleDelayMs);
        }
        if (wm > emitted) {
            emitted = wm;
            idle = false;
            out.emitWatermark(new Watermark(wm));
        }
    }
}
