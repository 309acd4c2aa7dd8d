package dev.tandem.speed.logic;

import dev.tandem.speed.model.PositionedEvent;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.internal.InternalMapState;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Keeps the first copy of each event_id in log order (ingest time, partition, offset), keyed by the
 * event_id's shard ({@link Shards}), and remembers the id for at least {@code retention} after the
 * first copy's ingest time (at most one hour longer).
 *
 * <p><b>Ordering.</b> Copies of one event_id can sit in different partitions, and Flink interleaves
 * partitions arbitrarily, so "first to arrive" is not "first in the log". The event time of this
 * job is the ingest time (the broker's LogAppendTime, non-decreasing per partition), so a watermark
 * W means every record with ingest time ≤ W has arrived. Every copy therefore waits until the
 * watermark passes it ({@link LogOrderedOperator}); then copies are taken in log order, and the
 * first one whose id is not yet known is released, the others dropped.
 *
 * <p>State: the released ids, in one map per (shard, ingest hour of the released copy); the map of
 * an hour is dropped by one timer when the watermark passes hour + 1 h + retention.
 */
public class Dedup extends LogOrderedOperator<PositionedEvent> implements OneInputStreamOperator<PositionedEvent, PositionedEvent> {

    private static final long serialVersionUID = 1L;

    /** The metric counting records that arrived behind the watermark (must stay 0, README "Ordering"). */
    public static final String BEHIND_WATERMARK = LogOrderedOperator.BEHIND_WATERMARK;

    /** Released event ids of one (shard, ingest hour); the value is unused. */
    private transient InternalMapState<Integer, Long, String, Boolean> seen;
    private transient Counter duplicates;

    public Dedup(long retentionMs) {
        super(retentionMs);
    }

    /** The key of a record: its event_id's shard. */
    public static int keyOf(PositionedEvent e) {
        return Shards.of(e.eventId);
    }

    @Override
    protected int shardOf(PositionedEvent e) {
        return keyOf(e);
    }

    @Override
    @SuppressWarnings("unchecked")
    protected void createState() throws Exception {
        seen = (InternalMapState<Integer, Long, String, Boolean>) namespacedState(
                new MapStateDescriptor<>("seen", Types.STRING, Types.BOOLEAN));
    }

    @Override
    public void open() throws Exception {
        super.open();
        duplicates = getMetricGroup().counter("duplicatesDropped");
    }

    @Override
    public void processElement(StreamRecord<PositionedEvent> record) throws Exception {
        hold(record.getValue());
    }

    @Override
    protected void process(PositionedEvent e) throws Exception {
        for (Long hour : liveHours.descendingSet()) { // a copy is most likely near the first one
            seen.setCurrentNamespace(hour);
            if (seen.contains(e.eventId)) {
                duplicates.inc();
                return;
            }
        }
        long hour = Shards.hourOf(e.ingestTime);
        seen.setCurrentNamespace(hour);
        seen.put(e.eventId, Boolean.TRUE);
        touch(keyOf(e), hour);
        emit(e, e.ingestTime);
    }

    @Override
    protected void expire(long hour) {
        seen.setCurrentNamespace(hour);
        seen.clear();
    }
}
