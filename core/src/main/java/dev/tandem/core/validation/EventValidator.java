package dev.tandem.core.validation;

import dev.tandem.core.event.Event;
import dev.tandem.core.event.EventType;

import java.time.Instant;

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

    /** The first field, in schema order, that the event's type needs and lacks. */
    static String firstMissingField(Event e) {
        if (blank(e.eventId())) {
            return "event_id";
        }
        if (blank(e.userId())) {
            return "user_id";
        }
        EventType t = e.eventType();
        switch (t) {
            case AD_IMPRESSION:
                if (blank(e.region())) return "region";
                if (blank(e.campaignId())) return "campaign_id";
                if (blank(e.adId())) return "ad_id";
                if (blank(e.impressionId())) return "impression_id";
                return null;
            case AD_CLICK:
                if (blank(e.campaignId())) return "campaign_id";
                if (blank(e.adId())) return "ad_id";
                if (blank(e.impressionId())) return "impression_id";
                return null;
            case ORDER_CREATED:
                if (blank(e.region())) return "region";
                if (blank(e.orderId())) return "order_id";
                if (e.totalMinor() == null) return "total_minor";
                return null;
            case SEARCH:
                return e.query() == null ? "query" : null;
            default:
                throw new AssertionError(t);
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isEmpty();
    }
}
