package dev.tandem.speed.logic;

import dev.tandem.speed.model.PositionedEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keeps the first copy of each event_id in log order (ingest time, partition, offset), keyed by
 * event_id, and forgets the id {@code retention} after the first copy's ingest time.
 *
 * <p><b>Ordering.</b> Copies of one event_id can sit in different partitions, and Flink interleaves
 * partitions arbitrarily, so "first to arrive" is not "first in the log". The event time of this
 * job is the ingest time (the broker's LogAppendTime, non-decreasing per partition), so a watermark
 * W means every record with ingest time ≤ W has arrived. A copy is therefore held (the earliest so
 * far in {@code candidate}) until the watermark passes its ingest time, then released: at that
 * moment no earlier copy can still come. Later copies are dropped until the id is forgotten.
 *
 * <p>State per id: the unreleased candidate, then the released copy's ingest time; both cleared by
 * an event-time timer at ingest time + retention, so nothing outlives the retention.
 */
public class Dedup extends KeyedProcessFunction<String, PositionedEvent, PositionedEvent> {

    private static final long serialVersionUID = 1L;

    private final long retentionMs;
    private transient ValueState<PositionedEvent> candidate;
    private transient ValueState<Long> released;
    private transient Counter duplicates;
    private transient Counter outOfOrder;

    /** The metric counting records that arrived behind the watermark (must stay 0, README "Ordering"). */
    public static final String BEHIND_WATERMARK = "behindWatermark";

    public Dedup(long retentionMs) {
        this.retentionMs = retentionMs;
    }

    @Override
    public void open(OpenContext ctx) {
        candidate = getRuntimeContext().getState(
                new ValueStateDescriptor<>("candidate", TypeInformation.of(PositionedEvent.class)));
        released = getRuntimeContext().getState(new ValueStateDescriptor<>("released-ingest-time", Types.LONG));
        duplicates = getRuntimeContext().getMetricGroup().counter("duplicatesDropped");
        outOfOrder = getRuntimeContext().getMetricGroup().counter(BEHIND_WATERMARK);

    }

    @Override
    public void processElement(PositionedEvent e, Context ctx, Collector<PositionedEvent> out) throws Exception {
        if (e.ingestTime <= ctx.timerService().currentWatermark()) {
            // cannot happen with a sound watermark; still counted, never dropped for lateness
            outOfOrder.inc();
        }
        if (released.value() != null) {
            duplicates.inc();
            return;
        }
        PositionedEvent current = candidate.value();
        if (current == null || e.precedes(current)) {
            if (current != null) {
                duplicates.inc();
            }
            candidate.update(e);
            ctx.timerService().registerEventTimeTimer(e.ingestTime);
        } else {
            duplicates.inc();
        }
    }

    @Override
    public void onTimer(long t, OnTimerContext ctx, Collector<PositionedEvent> out) throws Exception {
        PositionedEvent c = candidate.value();
        if (c != null && c.ingestTime <= t) {
            out.collect(c);
            candidate.clear();
            released.update(c.ingestTime);
            ctx.timerService().registerEventTimeTimer(c.ingestTime + retentionMs);
            return;
        }
        Long r = released.value();
        if (r != null && t >= r + retentionMs) {
            released.clear();
        }
    }
}
