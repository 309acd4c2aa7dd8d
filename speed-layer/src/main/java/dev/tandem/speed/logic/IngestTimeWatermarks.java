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
 * behind it. A partition that has been silent for {@code idleDelayMs} would hold the watermark
 * back forever; since the broker stamps every future record with its clock, such a partition may
 * let the watermark follow the wall clock minus {@code idleDelayMs}. That is sound as long as clock
 * skew between broker and job plus fetch latency stay below the delay (README "Ordering"); a record
 * that ever lands behind the watermark is still processed (never dropped) and counted.
 */
public final class IngestTimeWatermarks implements WatermarkGenerator<RawRecord> {

    private final long idleDelayMs;
    private final LongSupplier clock;
    private long maxIngest = Long.MIN_VALUE;
    private long lastRecordWall;
    private long emitted = Long.MIN_VALUE;

    public IngestTimeWatermarks(long idleDelayMs, LongSupplier clock) {
        this.idleDelayMs = idleDelayMs;
        this.clock = clock;
        this.lastRecordWall = clock.getAsLong();
    }

    /** The strategy for a Kafka source of {@code tandem.events}. */
    public static WatermarkStrategy<RawRecord> strategy(long idleDelayMs) {
        return WatermarkStrategy.<RawRecord>forGenerator(ctx -> new IngestTimeWatermarks(idleDelayMs, System::currentTimeMillis))
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
        if (now - lastRecordWall >= idleDelayMs) {
            wm = Math.max(wm, now - idleDelayMs);
        }
        if (wm > emitted) {
            emitted = wm;
            out.emitWatermark(new Watermark(wm));
        }
    }
}
