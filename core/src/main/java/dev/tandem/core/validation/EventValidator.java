package dev.tandem.core.validation;

import dev.tandem.core.event.Event;
import dev.tandem.core.event.EventType;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The validation rules of DESIGN §2. Pure and stateless: every engine calls the same method with
 * the record's ingest time, so a record is bad in every layer or in none.
 */
public final class EventValidator {

    public static final long EARLIEST_EVENT_TIME = Instant.parse("2000-01-01T00:00:00Z").toEpochMilli();
    public static final long MAX_AHEAD_OF_INGEST_MS = 24L * 3600 * 1000;
    public static final int MAX_QUERY_CHARS = 1024;

    private EventValidator() {
    }

    /** Returns the first rule the event breaks, or {@code null} when it is valid. */
    public static Rejection validate(Event e, long ingestTime) {
        if (e.eventType() == null) {
            return new Rejection(RejectReason.UNKNOWN_TYPE, "event_type missing");
        }
        String missing = firstMissingField(e);
        if (missing != null) {
            return new Rejection(RejectReason.MISSING_FIELD, missing);
        }
        if (e.totalMinor() != null && e.totalMinor() < 0) {
            return new Rejection(RejectReason.NEGATIVE_TOTAL, "total_minor=" + e.totalMinor());
        }
        if (e.query() != null && e.query().codePointCount(0, e.query().length()) > MAX_QUERY_CHARS) {
            return new Rejection(RejectReason.QUERY_TOO_LONG,
                    e.query().codePointCount(0, e.query().length()) + " characters");
        }
        if (e.eventTime() < EARLIEST_EVENT_TIME) {
            return new Rejection(RejectReason.EVENT_TIME_BEFORE_2000,
                    "event_time=" + Instant.ofEpochMilli(e.eventTime()));
        }
        if (e.eventTime() > ingestTime + MAX_AHEAD_OF_INGEST_MS) {
            return new Rejection(RejectReason.EVENT_TIME_AFTER_INGEST,
                    "event_time=" + Instant.ofEpochMilli(e.eventTime())
                            + " ingest_time=" + Instant.ofEpochMilli(ingestTime));
        }
        return null;
    }

    public static Checked check(Event e, long ingestTime) {
        Rejection r = validate(e, ingestTime);
        return r == null ? Checked.valid(e) : new Checked(null, r);
    }

    /**
     * A field an event needs, by its column name; missing when null, and also when an empty string
     * if {@code emptyIsMissing}.
     */
    public record RequiredField(String column, boolean emptyIsMissing, Function<Event, Object> value) {

        boolean missingIn(Event e) {
            Object v = value.apply(e);
            return v == null || (emptyIsMissing && "".equals(v));
        }
    }

    private static final Map<EventType, List<RequiredField>> REQUIRED = new EnumMap<>(EventType.class);

    static {
        List<RequiredField> common = List.of(text("event_id", Event::eventId), text("user_id", Event::userId));
        Map<EventType, List<RequiredField>> byType = Map.of(
                EventType.AD_IMPRESSION, List.of(text("region", Event::region), text("campaign_id", Event::campaignId),
                        text("ad_id", Event::adId), text("impression_id", Event::impressionId)),
                EventType.AD_CLICK, List.of(text("campaign_id", Event::campaignId), text("ad_id", Event::adId),
                        text("impression_id", Event::impressionId)),
                EventType.ORDER_CREATED, List.of(text("region", Event::region), text("order_id", Event::orderId),
                        new RequiredField("total_minor", false, Event::totalMinor)),
                // an empty search is a search
                EventType.SEARCH, List.of(new RequiredField("query", false, Event::query)));
        for (EventType t : EventType.values()) {
            List<RequiredField> fields = new ArrayList<>(common);
            fields.addAll(byType.get(t));
            REQUIRED.put(t, List.copyOf(fields));
        }
    }

    private static RequiredField text(String column, Function<Event, Object> value) {
        return new RequiredField(column, true, value);
    }

    /**
     * The fields an event of type {@code t} needs, in the order they are checked (the first one
     * missing is the one a {@link RejectReason#MISSING_FIELD} rejection names). Engines that
     * compile validation to their own expressions read the rule from here.
     */
    public static List<RequiredField> requiredFields(EventType t) {
        return REQUIRED.get(t);
    }

    /** The first field, in schema order, that the event's type needs and lacks. */
    static String firstMissingField(Event e) {
        for (RequiredField f : requiredFields(e.eventType())) {
            if (f.missingIn(e)) {
                return f.column();
            }
        }
        return null;
    }
}
