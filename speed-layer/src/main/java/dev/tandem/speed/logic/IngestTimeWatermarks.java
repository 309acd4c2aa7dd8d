package dev.tandem.speed.logic;

import dev.tandem.speed.model.RawRecord;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

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
 *   <li>otherwise (catching up a backlog, or no record yet since start) only after
 *       {@code graceMs} of silence, which must exceed any fetch stall.</li>
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

    /** For finite, log-ordered test inputs: plain monotonic ingest time, no wall clock. */
    public static WatermarkStrategy<RawRecord> forOrderedInput() {
        return WatermarkStrategy.<RawRecord>forMonotonousTimestamps().withTimestampAssigner((r, ts) -> r.ingestTime);
    }

    @Override
    public void onEvent(RawRecord r, long ts, WatermarkOutput out) {
        maxIngest = Math.max(maxIngest, ts);
        lastRecordWall = clock.getAsLong();
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput out) {
        long wm = maxIngest == Long.MIN_VALUE ? Long.MIN_VALUE : maxIngest - 1;
        long now = clock.getAsLong();
        long silent = now - lastRecordWall;
        boolean wasLive = maxIngest != Long.MIN_VALUE && lastRecordWall - maxIngest < idleDelayMs;
        if ((wasLive && silent >= idleDelayMs) || silent >= graceMs) {
            wm = Math.max(wm, now - idleDelayMs);
        }
        if (wm > emitted) {
            emitted = wm;
            out.emitWatermark(new Watermark(wm));
        }
    }
}
