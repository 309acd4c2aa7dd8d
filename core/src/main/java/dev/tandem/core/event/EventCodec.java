package dev.tandem.core.event;

import dev.tandem.core.validation.Checked;
import dev.tandem.core.validation.EventValidator;
import dev.tandem.core.validation.RejectReason;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Avro single-object encoding of {@link Event} (the wire format of {@code tandem.events}). The
 * 10-byte header names the writer schema by fingerprint; decoding resolves any known writer
 * schema ({@link EventSchemas#KNOWN}) to the latest reader schema.
 *
 * <p>Instances are thread-safe: Avro's message encoder and decoder keep per-thread buffers.
 */
public final class EventCodec {

    private static final EventCodec INSTANCE = new EventCodec();

    private final BinaryMessageEncoder<GenericRecord> v1Encoder =
            new BinaryMessageEncoder<>(GenericData.get(), EventSchemas.V1);
    private final BinaryMessageEncoder<GenericRecord> latestEncoder =
            new BinaryMessageEncoder<>(GenericData.get(), EventSchemas.LATEST);
    private final BinaryMessageDecoder<GenericRecord> decoder;

    private EventCodec() {
        decoder = new BinaryMessageDecoder<>(GenericData.get(), EventSchemas.LATEST);
        for (Schema known : EventSchemas.KNOWN) {
            decoder.addSchema(known);
        }
    }

    public static EventCodec get() {
        return INSTANCE;
    }

    /** Encodes with the latest schema. */
    public byte[] encode(Event e) {
        return encode(e, EventSchemas.LATEST);
    }

    /**
     * Encodes with an older writer schema, as an old producer would. Encoding v1 drops currency,
     * so it is meant for events whose currency is the default.
     */
    public byte[] encode(Event e, Schema writer) {
        GenericRecord r = toRecord(e, writer);
        BinaryMessageEncoder<GenericRecord> enc = writer == EventSchemas.V1 ? v1Encoder
                : writer == EventSchemas.LATEST ? latestEncoder
                : new BinaryMessageEncoder<>(GenericData.get(), writer);
        try {
            return enc.encode(r).array();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        } catch (NullPointerException | AvroRuntimeException ex) {
            throw new IllegalArgumentException("event cannot be encoded (required field missing?): " + e, ex);
        }
    }

    /** Decodes bytes written with any known schema, resolved to the latest one. */
    public Event decode(byte[] bytes) throws DecodeException {
        if (bytes == null) {
            throw new DecodeException(RejectReason.UNDECODABLE, "null record value");
        }
        GenericRecord r;
        try {
            r = decoder.decode(bytes);
        } catch (MissingSchemaException e) {
            throw new DecodeException(RejectReason.UNDECODABLE, "unknown writer schema: " + e.getMessage(), e);
        } catch (BadHeaderException e) {
            throw new DecodeException(RejectReason.UNDECODABLE, "not Avro single-object encoding: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new DecodeException(RejectReason.UNDECODABLE, "corrupt Avro payload: " + e, e);
        }
        return fromRecord(r);
    }

    /** Decode, then validate against the ingest time: the one entry point every engine uses. */
    public Checked check(byte[] bytes, long ingestTime) {
        try {
            return EventValidator.check(decode(bytes), ingestTime);
        } catch (DecodeException e) {
            return Checked.rejected(e.reason(), e.getMessage());
        }
    }

    static GenericRecord toRecord(Event e, Schema schema) {
        GenericData.Record r = new GenericData.Record(schema);
        r.put("event_id", e.eventId());
        r.put("event_type", e.eventType() == null ? null
                : new GenericData.EnumSymbol(schema.getField("event_type").schema(), e.eventType().name()));
        r.put("event_time", e.eventTime());
        r.put("user_id", e.userId());
        r.put("region", e.region());
        r.put("campaign_id", e.campaignId());
        r.put("ad_id", e.adId());
        r.put("impression_id", e.impressionId());
        r.put("order_id", e.orderId());
        r.put("total_minor", e.totalMinor());
        r.put("query", e.query());
        if (schema.getField("currency") != null) {
            r.put("currency", e.currency());
        }
        return r;
    }

    /** Positions of the latest schema's fields (records the decoder returns have that schema). */
    private static final int EVENT_ID = pos("event_id"), EVENT_TYPE = pos("event_type"), EVENT_TIME = pos("event_time"),
            USER_ID = pos("user_id"), REGION = pos("region"), CAMPAIGN_ID = pos("campaign_id"), AD_ID = pos("ad_id"),
            IMPRESSION_ID = pos("impression_id"), ORDER_ID = pos("order_id"), TOTAL_MINOR = pos("total_minor"),
            QUERY = pos("query"), CURRENCY = pos("currency");

    private static int pos(String field) {
        Schema.Field f = EventSchemas.LATEST.getField(field);
        return f == null ? -1 : f.pos();
    }

    static Event fromRecord(GenericRecord r) {
        if (r.getSchema() != EventSchemas.LATEST) {
            return fromRecordByName(r);
        }
        // by position: a look-up by name hashes the field name, twelve times per event
        return new Event(
                str(r.get(EVENT_ID)),
                EventType.valueOf(r.get(EVENT_TYPE).toString()),
                (Long) r.get(EVENT_TIME),
                str(r.get(USER_ID)),
                str(r.get(REGION)),
                str(r.get(CAMPAIGN_ID)),
                str(r.get(AD_ID)),
                str(r.get(IMPRESSION_ID)),
                str(r.get(ORDER_ID)),
                (Long) r.get(TOTAL_MINOR),
                str(r.get(QUERY)),
                CURRENCY < 0 ? null : str(r.get(CURRENCY)));
    }

    private static Event fromRecordByName(GenericRecord r) {
        return new Event(
                str(r.get("event_id")),
                EventType.valueOf(r.get("event_type").toString()),
                (Long) r.get("event_time"),
                str(r.get("user_id")),
                str(r.get("region")),
                str(r.get("campaign_id")),
                str(r.get("ad_id")),
                str(r.get("impression_id")),
                str(r.get("order_id")),
                (Long) r.get("total_minor"),
                str(r.get("query")),
                r.getSchema().getField("currency") == null ? null : str(r.get("currency")));
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }
}
