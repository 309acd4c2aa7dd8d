package dev.tandem.speed.model;

import dev.tandem.core.event.Event;
import dev.tandem.core.event.EventType;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.view.Fact;
import dev.tandem.core.view.Facts;

import org.apache.flink.api.common.typeinfo.TypeInfo;

import java.util.Comparator;

/**
 * A valid event with its log position: the flat Flink-POJO twin of core's {@link IngestedEvent}
 * (core's records are not POJOs, and Kryo is slow and fragile for state). Flink serializes it with
 * {@link PositionedEventSerializer}.
 */
@TypeInfo(PositionedEventTypeInfo.Factory.class)
public class PositionedEvent implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    public String eventId;
    public EventType eventType;
    public long eventTime;
    public String userId;
    public String region;
    public String campaignId;
    public String adId;
    public String impressionId;
    public String orderId;
    public Long totalMinor;
    public String query;
    public String currency;
    public long ingestTime;
    public int partition;
    public long offset;
    /**
     * Not part of the event and never serialized: while the record waits for the watermark in
     * {@code LogOrderedOperator}, the number of the batch of that operator's keyed state that holds
     * it, or 0 if no checkpoint has written it yet.
     */
    public transient long heldBatch;

    /** Log order (ingest time, partition, offset), as {@link IngestedEvent#LOG_ORDER}. */
    public static final Comparator<PositionedEvent> LOG_ORDER = Comparator
            .comparingLong((PositionedEvent p) -> p.ingestTime)
            .thenComparingInt(p -> p.partition)
            .thenComparingLong(p -> p.offset);

    public PositionedEvent() {
    }

    public static PositionedEvent of(Event e, long ingestTime, int partition, long offset) {
        PositionedEvent p = new PositionedEvent();
        p.eventId = e.eventId();
        p.eventType = e.eventType();
        p.eventTime = e.eventTime();
        p.userId = e.userId();
        p.region = e.region();
        p.campaignId = e.campaignId();
        p.adId = e.adId();
        p.impressionId = e.impressionId();
        p.orderId = e.orderId();
        p.totalMinor = e.totalMinor();
        p.query = e.query();
        p.currency = e.currency();
        p.ingestTime = ingestTime;
        p.partition = partition;
        p.offset = offset;
        return p;
    }

    public static PositionedEvent of(IngestedEvent ie) {
        return of(ie.event(), ie.ingestTime(), ie.partition(), ie.offset());
    }

    public Event toEvent() {
        return new Event(eventId, eventType, eventTime, userId, region, campaignId, adId, impressionId,
                orderId, totalMinor, query, currency);
    }

    public IngestedEvent toIngestedEvent() {
        return new IngestedEvent(toEvent(), ingestTime, partition, offset);
    }

    /** Core's fact of this event ({@link Facts#of}), without building the {@link Event}. */
    public Fact toFact() {
        return Facts.of(eventType, eventTime, IngestTags.tagOf(ingestTime), userId, campaignId, region, currency,
                totalMinor, query);
    }

    public boolean precedes(PositionedEvent other) {
        return LOG_ORDER.compare(this, other) < 0;
    }

    @Override
    public String toString() {
        return eventType + " " + eventId + " @p" + partition + ":" + offset + " ingest=" + ingestTime;
    }
}
