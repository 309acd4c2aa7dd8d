package dev.tandem.batch.mapreduce.jobs;

import dev.tandem.core.event.Event;
import dev.tandem.core.event.EventSchemas;
import dev.tandem.core.event.EventType;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.storage.MasterRecords;
import dev.tandem.core.view.BatchViewSchema;
import org.apache.avro.generic.GenericRecord;

/**
 * Master dataset rows ({@link EventSchemas#MASTER_EVENT}) to and from {@link IngestedEvent}.
 * Writing is core's {@link MasterRecords#toRow}; reading is core's mapping made lenient: an unknown
 * {@code event_type} string reads as a null type, which the validator rejects
 * ({@code UNKNOWN_TYPE}) and counts, instead of failing the map task on every attempt.
 */
public final class MasterRows {

    private MasterRows() {
    }

    public static IngestedEvent fromRecord(GenericRecord r) {
        Event e = Event.builder()
                .eventId(str(r.get("event_id")))
                .eventType(EventType.ofNameOrNull(str(r.get("event_type"))))
                .eventTime(BatchViewSchema.epochMillis(r.get("event_time")))
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

    /** The master row of an event (core's mapping); the event must have id, type and user. */
    public static GenericRecord toRecord(IngestedEvent ie) {
        return MasterRecords.toRow(ie);
    }

    /** Whether {@link #toRecord} can represent the event (the schema's required fields are set). */
    public static boolean representable(Event e) {
        return e.eventId() != null && e.eventType() != null && e.userId() != null;
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }
}
