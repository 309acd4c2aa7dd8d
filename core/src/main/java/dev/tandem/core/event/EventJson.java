package dev.tandem.core.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.core.validation.Checked;
import dev.tandem.core.validation.EventValidator;
import dev.tandem.core.validation.RejectReason;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * JSON at the edges (CLI, sample files). Field names are the Avro ones; {@code event_time} is
 * ISO-8601 UTC on output and either ISO-8601 or epoch milliseconds on input. Missing
 * {@code currency} reads as "USD", exactly like a v1 Avro record.
 */
public final class EventJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private EventJson() {
    }

    public static String toJson(Event e) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("event_id", e.eventId());
        n.put("event_type", e.eventType() == null ? null : e.eventType().name());
        n.put("event_time", Instant.ofEpochMilli(e.eventTime()).toString());
        n.put("user_id", e.userId());
        putIfSet(n, "region", e.region());
        putIfSet(n, "campaign_id", e.campaignId());
        putIfSet(n, "ad_id", e.adId());
        putIfSet(n, "impression_id", e.impressionId());
        putIfSet(n, "order_id", e.orderId());
        if (e.totalMinor() != null) {
            n.put("total_minor", e.totalMinor());
        }
        putIfSet(n, "query", e.query());
        n.put("currency", e.currency());
        return n.toString();
    }

    public static Event fromJson(String json) throws DecodeException {
        JsonNode n;
        try {
            n = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new DecodeException(RejectReason.UNDECODABLE, "malformed JSON: " + e.getOriginalMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new DecodeException(RejectReason.UNDECODABLE, "JSON event must be an object");
        }
        String type = text(n, "event_type");
        if (type == null) {
            throw new DecodeException(RejectReason.MISSING_FIELD, "event_type");
        }
        EventType eventType;
        try {
            eventType = EventType.valueOf(type);
        } catch (IllegalArgumentException e) {
            throw new DecodeException(RejectReason.UNKNOWN_TYPE, "event_type '" + type + "'");
        }
        JsonNode time = n.get("event_time");
        if (time == null || time.isNull()) {
            throw new DecodeException(RejectReason.MISSING_FIELD, "event_time");
        }
        long eventTime;
        if (time.isIntegralNumber()) {
            eventTime = time.asLong();
        } else {
            try {
                eventTime = Instant.parse(time.asText()).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw new DecodeException(RejectReason.UNDECODABLE, "event_time '" + time.asText() + "' is not ISO-8601", e);
            }
        }
        JsonNode total = n.get("total_minor");
        Long totalMinor = null;
        if (total != null && !total.isNull()) {
            if (!total.isIntegralNumber()) {
                throw new DecodeException(RejectReason.UNDECODABLE, "total_minor must be an integer");
            }
            totalMinor = total.asLong();
        }
        return new Event(text(n, "event_id"), eventType, eventTime, text(n, "user_id"), text(n, "region"),
                text(n, "campaign_id"), text(n, "ad_id"), text(n, "impression_id"), text(n, "order_id"),
                totalMinor, text(n, "query"), text(n, "currency"));
    }

    public static Checked check(byte[] utf8Json, long ingestTime) {
        try {
            return EventValidator.check(fromJson(new String(utf8Json, StandardCharsets.UTF_8)), ingestTime);
        } catch (DecodeException e) {
            return Checked.rejected(e.reason(), e.getMessage());
        }
    }

    private static void putIfSet(ObjectNode n, String field, String v) {
        if (v != null) {
            n.put(field, v);
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
