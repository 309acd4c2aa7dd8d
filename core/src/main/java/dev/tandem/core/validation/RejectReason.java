package dev.tandem.core.validation;

/**
 * Why a record is bad (DESIGN §2). The {@link #code()} is what quarantine rows, the DLQ and the
 * counters carry, so it never changes once published.
 */
public enum RejectReason {
    UNDECODABLE("undecodable"),
    UNKNOWN_TYPE("unknown_type"),
    MISSING_FIELD("missing_field"),
    NEGATIVE_TOTAL("negative_total"),
    QUERY_TOO_LONG("query_too_long"),
    EVENT_TIME_BEFORE_2000("event_time_before_2000"),
    EVENT_TIME_AFTER_INGEST("event_time_after_ingest");

    private final String code;

    RejectReason(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    public static RejectReason ofCode(String code) {
        for (RejectReason r : values()) {
            if (r.code.equals(code)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown reject reason: " + code);
    }
}
