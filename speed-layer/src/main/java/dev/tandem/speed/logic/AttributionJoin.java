package dev.tandem.speed.logic;

import dev.tandem.core.view.Facts;
import dev.tandem.speed.model.AttributedClick;
import dev.tandem.speed.model.PositionedEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The attribution join (DESIGN §4), keyed by impression_id, with explicit state and timers instead
 * of Flink's interval join (which drops records behind the watermark). Input 1: deduplicated
 * impressions; input 2: deduplicated clicks. Output: one {@link AttributedClick} per click that has a
 * matching impression, exactly as core's reference evaluator: the <em>first impression in log
 * order</em> whose window [impression time, +1 h] holds the click's event time.
 *
 * <p>Records wait in {@code pending} until the watermark (ingest time) passes them, then are
 * processed in log order: an impression joins the impressions seen and claims any waiting click it
 * matches; a click takes the first matching impression seen, or waits. Because processing is in
 * log order, an impression that claims a waiting click is the first matching one in the log.
 * Impressions and waiting clicks are forgotten at ingest time + retention (event-time timers), so
 * exactness holds for partners within the retention of each other (DESIGN §3).
 */
public class AttributionJoin extends KeyedCoProcessFunction<String, PositionedEvent, PositionedEvent, AttributedClick> {

    private static final long serialVersionUID = 1L;

    private final long retentionMs;
    private transient ListState<PositionedEvent> pending;
    private transient ListState<PositionedEvent> impressions;
    private transient ListState<PositionedEvent> waitingClicks;
    private transient Counter attributed;

    public AttributionJoin(long retentionMs) {
        this.retentionMs = retentionMs;
    }

    @Override
    public void open(OpenContext ctx) {
        TypeInformation<PositionedEvent> type = TypeInformation.of(PositionedEvent.class);
        pending = getRuntimeContext().getListState(new ListStateDescriptor<>("pending", type));
        impressions = getRuntimeContext().getListState(new ListStateDescriptor<>("impressions", type));
        waitingClicks = getRuntimeContext().getListState(new ListStateDescriptor<>("waiting-clicks", type));
        attributed = getRuntimeContext().getMetricGroup().counter("attributedClicks");
    }

    @Override
    public void processElement1(PositionedEvent impression, Context ctx, Collector<AttributedClick> out) throws Exception {
        hold(impression, ctx);
    }

    @Override
    public void processElement2(PositionedEvent click, Context ctx, Collector<AttributedClick> out) throws Exception {
        hold(click, ctx);
    }

    private void hold(PositionedEvent e, Context ctx) throws Exception {
        pending.add(e);
        ctx.timerService().registerEventTimeTimer(e.ingestTime);
        ctx.timerService().registerEventTimeTimer(e.ingestTime + retentionMs);
    }

    @Override
    public void onTimer(long t, OnTimerContext ctx, Collector<AttributedClick> out) throws Exception {
        release(t, out);
        expire(t);
    }

    /** Processes the pending records with ingest time ≤ t in log order. */
    private void release(long t, Collector<AttributedClick> out) throws Exception {
        List<PositionedEvent> ready = new ArrayList<>();
        List<PositionedEvent> later = new ArrayList<>();
        for (PositionedEvent e : pending.get()) {
            (e.ingestTime <= t ? ready : later).add(e);
        }
        if (ready.isEmpty()) {
            return;
        }
        pending.update(later);
        ready.sort(PositionedEvent.LOG_ORDER);
        List<PositionedEvent> imps = toList(impressions.get());
        List<PositionedEvent> waiting = toList(waitingClicks.get());
        for (PositionedEvent e : ready) {
            if (e.eventType == dev.tandem.core.event.EventType.AD_IMPRESSION) {
                imps.add(forState(e));
                for (Iterator<PositionedEvent> it = waiting.iterator(); it.hasNext(); ) {
                    PositionedEvent click = it.next();
                    if (Facts.inAttributionWindow(e.eventTime, click.eventTime)) {
                        emit(click, e, out);
                        it.remove();
                    }
                }
            } else {
                PositionedEvent match = null;
                for (PositionedEvent imp : imps) {
                    if (Facts.inAttributionWindow(imp.eventTime, e.eventTime)) {
                        match = imp;
                        break;
                    }
                }
                if (match != null) {
                    emit(e, match, out);
                } else {
                    waiting.add(e);
                }
            }
        }
        impressions.update(imps);
        waitingClicks.update(waiting);
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

    private void emit(PositionedEvent click, PositionedEvent impression, Collector<AttributedClick> out) {
        attributed.inc();
        out.collect(AttributedClick.of(click, impression));
    }

    /** Forgets impressions and waiting clicks whose ingest time + retention ≤ t. */
    private void expire(long t) throws Exception {
        impressions.update(unexpired(impressions.get(), t));
        waitingClicks.update(unexpired(waitingClicks.get(), t));
    }

    private List<PositionedEvent> unexpired(Iterable<PositionedEvent> items, long t) {
        List<PositionedEvent> keep = new ArrayList<>();
        if (items != null) {
            for (PositionedEvent e : items) {
                if (e.ingestTime + retentionMs > t) {
                    keep.add(e);
                }
            }
        }
        return keep;
    }

    private static List<PositionedEvent> toList(Iterable<PositionedEvent> items) {
        List<PositionedEvent> l = new ArrayList<>();
        if (items != null) {
            items.forEach(l::add);
        }
        return l;
    }
}
