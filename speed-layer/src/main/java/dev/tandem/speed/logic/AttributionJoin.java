package dev.tandem.speed.logic;

import dev.tandem.core.event.EventType;
import dev.tandem.core.view.Facts;
import dev.tandem.speed.model.AttributedClick;
import dev.tandem.speed.model.PositionedEvent;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.internal.InternalMapState;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The attribution join (DESIGN §4), keyed by the impression_id's shard ({@link Shards}), with
 * explicit state instead of Flink's interval join (which drops records behind the watermark).
 * Input 1: deduplicated impressions; input 2: deduplicated clicks. Output: one
 * {@link AttributedClick} per click that has a matching impression, exactly as core's reference
 * evaluator: the <em>first impression in log order</em> whose window [impression time, +1 h] holds
 * the click's event time.
 *
 * <p>Records wait until the watermark (ingest time) passes them and are then processed in log
 * order ({@link LogOrderedOperator}): an impression joins the impressions seen and claims any
 * waiting click it matches; a click takes the first matching impression seen, or waits. Because
 * processing is in log order, an impression that claims a waiting click is the first matching one
 * in the log.
 *
 * <p>State: impressions and waiting clicks by impression_id, in one map per (shard, ingest hour);
 * an hour's maps are dropped by one timer when the watermark passes hour + 1 h + retention, so
 * exactness holds for partners within the retention of each other (DESIGN §3).
 */
public class AttributionJoin extends LogOrderedOperator<AttributedClick>
        implements TwoInputStreamOperator<PositionedEvent, PositionedEvent, AttributedClick> {

    private static final long serialVersionUID = 1L;

    /** Impressions of one (shard, ingest hour) by impression_id, each list in log order. */
    private transient InternalMapState<Integer, Long, String, List<PositionedEvent>> impressions;
    /** Clicks with no matching impression yet, of one (shard, ingest hour), by impression_id, in log order. */
    private transient InternalMapState<Integer, Long, String, List<PositionedEvent>> waitingClicks;
    private transient Counter attributed;

    public AttributionJoin(long retentionMs) {
        super(retentionMs);
    }

    /** The key of a record (impression or click): its impression_id's shard. */
    public static int keyOf(PositionedEvent e) {
        return Shards.of(e.impressionId);
    }

    @Override
    protected int shardOf(PositionedEvent e) {
        return keyOf(e);
    }

    @Override
    @SuppressWarnings("unchecked")
    protected void createState() throws Exception {
        ListTypeInfo<PositionedEvent> list = new ListTypeInfo<>(PositionedEvent.class);
        impressions = (InternalMapState<Integer, Long, String, List<PositionedEvent>>) namespacedState(
                new MapStateDescriptor<>("impressions", Types.STRING, list));
        waitingClicks = (InternalMapState<Integer, Long, String, List<PositionedEvent>>) namespacedState(
                new MapStateDescriptor<>("waiting-clicks", Types.STRING, list));
    }

    @Override
    public void open() throws Exception {
        super.open();
        attributed = getMetricGroup().counter("attributedClicks");
    }

    @Override
    public void processElement1(StreamRecord<PositionedEvent> impression) throws Exception {
        hold(impression.getValue());
    }

    @Override
    public void processElement2(StreamRecord<PositionedEvent> click) throws Exception {
        hold(click.getValue(), 1);
    }

    @Override
    protected void process(PositionedEvent e) throws Exception {
        if (e.eventType == EventType.AD_IMPRESSION) {
            impression(e);
        } else {
            click(e);
        }
    }

    private void impression(PositionedEvent e) throws Exception {
        String id = e.impressionId;
        for (Long hour : liveHours) {
            waitingClicks.setCurrentNamespace(hour);
            List<PositionedEvent> clicks = waitingClicks.get(id);
            if (clicks == null) {
                continue;
            }
            boolean claimed = false;
            for (Iterator<PositionedEvent> it = clicks.iterator(); it.hasNext(); ) {
                PositionedEvent click = it.next();
                if (Facts.inAttributionWindow(e.eventTime, click.eventTime)) {
                    emit(click, e);
                    it.remove();
                    claimed = true;
                }
            }
            if (clicks.isEmpty()) {
                waitingClicks.remove(id);
            } else if (claimed) {
                waitingClicks.put(id, clicks);
            }
        }
        long hour = Shards.hourOf(e.ingestTime);
        impressions.setCurrentNamespace(hour);
        List<PositionedEvent> same = impressions.get(id);
        if (same == null) {
            same = new ArrayList<>(1);
        }
        same.add(forState(e));
        impressions.put(id, same);
        touch(keyOf(e), hour);
    }

    private void click(PositionedEvent e) throws Exception {
        String id = e.impressionId;
        for (Long hour : liveHours) { // ascending: hours, and each list, are in log order
            impressions.setCurrentNamespace(hour);
            List<PositionedEvent> imps = impressions.get(id);
            if (imps == null) {
                continue;
            }
            for (PositionedEvent imp : imps) {
                if (Facts.inAttributionWindow(imp.eventTime, e.eventTime)) {
                    emit(e, imp);
                    return;
                }
            }
        }
        long hour = Shards.hourOf(e.ingestTime);
        waitingClicks.setCurrentNamespace(hour);
        List<PositionedEvent> waiting = waitingClicks.get(id);
        if (waiting == null) {
            waiting = new ArrayList<>(1);
        }
        waiting.add(e);
        waitingClicks.put(id, waiting);
        touch(keyOf(e), hour);
    }

    /**
     * What an impression must keep for the retention: the fields the window test, log order and
     * {@link AttributedClick#of} read. (Impressions are most of the join's state.)
     */
    static PositionedEvent forState(PositionedEvent impression) {
        PositionedEvent p = new PositionedEvent();
        p.eventId = impression.eventId;
        p.eventType = impression.eventType;
        p.eventTime = impression.eventTime;
        p.campaignId = impression.campaignId;
        p.ingestTime = impression.ingestTime;
        p.partition = impression.partition;
        p.offset = impression.offset;
        return p;
    }

    private void emit(PositionedEvent click, PositionedEvent impression) {
        attributed.inc();
        emit(AttributedClick.of(click, impression), Math.max(click.ingestTime, impression.ingestTime));
    }

    @Override
    protected void expire(long hour) {
        impressions.setCurrentNamespace(hour);
        impressions.clear();
        waitingClicks.setCurrentNamespace(hour);
        waitingClicks.clear();
    }
}
