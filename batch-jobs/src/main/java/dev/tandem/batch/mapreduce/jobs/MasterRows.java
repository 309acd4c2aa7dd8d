package dev.tandem.batch.mapreduce.jobs;

import dev.tandem.core.event.Event;
import dev.tandem.core.event.EventSchemas;
import dev.tandem.core.event.EventType;
import dev.tandem.core.event.IngestedEvent;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Master dataset rows ({@link EventSchemas#MASTER_EVENT}) to and from {@link IngestedEvent}. An
 * unknown {@code event_type} string reads as a null type, which the validator rejects
 * ({@code UNKNOWN_TYPE}) instead of failing the task.
 */
public final class MasterRows {

    private MasterRows() {
    }

    public static IngestedEvent fromRecord(GenericRecord r) {
        Event e = Event.builder()
                .eventId(str(r.get("event_id")))
                .eventType(type(str(r.get("event_type"))))
                .eventTime(((Number) r.get("event_time")).longValue())
                .userId(str(r.get("user_id")))
                .region(str(r.get("region")))
                .campaignId(str(r.get("campaign_id")))
                .adId(str(r.get("ad_id")))
                .impressionId(str(r.get("impression_id")))
                .orderId(str(r.get("order_id")))
                .totalMinor(r.get("total_minor") == null ? null : ((Number) r.get("total_minor")).longValue())
                .query(str(r.get("query")))
                .currency(str(r.get("currency")))
                .build();
        return new IngestedEvent(e, ((Number) r.get("ingest_time")).longValue(),
                ((Number) r.get("kafka_partition")).intValue(), ((Number) r.get("kafka_offset")).longValue());
    }

    /** The master row of an event; the event must have the fields the schema requires (id, type, user). */
    public static GenericRecord toRecord(IngestedEvent ie) {
        Event e = ie.event();
        GenericData.Record r = new GenericData.Record(EventSchemas.MASTER_EVENT);
        r.put("event_id", e.eventId());
        r.put("event_type", e.eventType().name());
        r.put("event_time", e.eventTime());
        r.put("user_id", e.userId());
        r.put("region", e.region());
        r.put("campaign_id", e.campaignId());
        r.put("ad_id", e.adId());
        r.put("impression_id", e.impressionId());
        r.put("order_id", e.orderId());
        r.put("total_minor", e.totalMinor());
        r.put("query", e.query());
        r.put("currency", e.currency());
        r.put("ingest_time", ie.ingestTime());
        r.put("kafka_partition", ie.partition());
        r.put("kafka_offset", ie.offset());
        return r;
    }

    /** Whether {@link #toRecord} can represent the event (the schema's required fields are set). */
    public static boolean representable(Event e) {
        return e.eventId() != null && e.eventType() != null && e.userId() != null;
    }

    private static EventType type(String s) {
        if (s == null) {
            return null;
        }
        try {
            return EventType.valueOf(s);
        } catch (IllegalArgumentException ex) {
            return null;
        }
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }
}
