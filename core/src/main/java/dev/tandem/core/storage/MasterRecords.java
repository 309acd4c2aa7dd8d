package dev.tandem.core.storage;

import dev.tandem.core.event.Event;
import dev.tandem.core.event.EventSchemas;
import dev.tandem.core.event.EventType;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.view.BatchViewSchema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Master dataset rows ({@link EventSchemas#MASTER_EVENT}) to and from events with their log
 * position. The Parquet I/O around them belongs to each engine; the mapping is defined once here.
 */
public final class MasterRecords {

    private MasterRecords() {
    }

    public static GenericRecord toRow(IngestedEvent ie) {
        Event e = ie.event();
        GenericData.Record row = new GenericData.Record(EventSchemas.MASTER_EVENT);
        row.put("event_id", e.eventId());
        row.put("event_type", e.eventType().name());
        row.put("event_time", e.eventTime());
        row.put("user_id", e.userId());
        row.put("region", e.region());
        row.put("campaign_id", e.campaignId());
        row.put("ad_id", e.adId());
        row.put("impression_id", e.impressionId());
        row.put("order_id", e.orderId());
        row.put("total_minor", e.totalMinor());
        row.put("query", e.query());
        row.put("currency", e.currency());
        row.put("ingest_time", ie.ingestTime());
        row.put("kafka_partition", ie.partition());
        row.put("kafka_offset", ie.offset());
        return row;
    }

    /** Reads a master row; timestamps may come as Long (plain Avro) or Instant (parquet-avro). */
    public static IngestedEvent fromRow(GenericRecord r) {
        Event e = new Event(str(r, "event_id"), EventType.valueOf(str(r, "event_type")),
                BatchViewSchema.epochMillis(r.get("event_time")), str(r, "user_id"), str(r, "region"),
                str(r, "campaign_id"), str(r, "ad_id"), str(r, "impression_id"), str(r, "order_id"),
                (Long) r.get("total_minor"), str(r, "query"), str(r, "currency"));
        return new IngestedEvent(e, ((Number) r.get("ingest_time")).longValue(),
                ((Number) r.get("kafka_partition")).intValue(), ((Number) r.get("kafka_offset")).longValue());
    }

    private static String str(GenericRecord r, String field) {
        Object v = r.get(field);
        return v == null ? null : v.toString();
    }
}
