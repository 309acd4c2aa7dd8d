package dev.tandem.serving.realtime;

import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.RealtimeCodec;

/**
 * A realtime store fed directly (tests, benchmarks, the demo without Kafka): the same
 * {@link RealtimeState} the Kafka consumer uses, with writes published immediately.
 */
public final class InMemoryRealtimeStore implements RealtimeStore {

    private final RealtimeState state = new RealtimeState();
    private volatile RealtimeSnapshot snapshot = RealtimeSnapshot.EMPTY;
    private volatile boolean ready = true;
    private volatile long lastRecordTime = -1;

    /** Upserts one entry, or removes it when {@code value} is null (a tombstone). */
    public synchronized InMemoryRealtimeStore put(RealtimeCodec.RealtimeKey key, Aggregate value) {
        state.apply(key, value);
        snapshot = state.publish();
        return this;
    }

    /** Applies a raw changelog record, exactly as it would arrive from the topic. */
    public synchronized InMemoryRealtimeStore putRecord(byte[] key, byte[] value, long timestamp) {
        state.applyRecord(key, value);
        snapshot = state.publish();
        lastRecordTime = Math.max(lastRecordTime, timestamp);
        return this;
    }

    /** One raw changelog record. */
    public record Record(byte[] key, byte[] value, long timestamp) {
    }

    /** Applies many records and publishes one snapshot (a replay). */
    public synchronized InMemoryRealtimeStore putRecords(Iterable<Record> records) {
        for (Record r : records) {
            state.applyRecord(r.key(), r.value());
            lastRecordTime = Math.max(lastRecordTime, r.timestamp());
        }
        snapshot = state.publish();
        return this;
    }

    public InMemoryRealtimeStore ready(boolean ready) {
        this.ready = ready;
        return this;
    }

    @Override
    public RealtimeSnapshot snapshot() {
        return snapshot;
    }

    @Override
    public boolean ready() {
        return ready;
    }

    @Override
    public synchronized RealtimeStatus status() {
        return new RealtimeStatus("memory", 0, lastRecordTime, state.appliedRecords(), state.corruptRecords(), null);
    }
}
