package dev.tandem.serving.query;

/** The limits every request is checked against; a request beyond them gets a 400 saying which. */
public final class QueryLimits {

    /** DESIGN §8: an answer holds at most this many rows. */
    public static final int MAX_ROWS = 100_000;
    /** Distinct dimension combinations (series) in one answer. */
    public static final int MAX_GROUPS = 10_000;
    /** The widest [from, to) range, in days (a year of hourly buckets is 8,784 of them). */
    public static final int MAX_RANGE_DAYS = 366;
    public static final int MAX_FILTER_VALUES = 100;
    public static final int MAX_VALUE_LENGTH = 256;
    public static final int MAX_TOP_LIMIT = 1_000;
    public static final int DEFAULT_TOP_LIMIT = 10;
    /** Longest raw query string accepted. */
    public static final int MAX_QUERY_LENGTH = 4_096;

    private QueryLimits() {
    }
}
