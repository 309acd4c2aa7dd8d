package dev.tandem.core.time;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Ingest tags (DESIGN §3): the ingest time truncated to the UTC hour. Tags split every aggregate
 * between the layers; the hour label {@code YYYY-MM-DDTHH} names master-dataset partitions.
 */
public final class IngestTags {

    public static final long HOUR_MS = 3_600_000L;
    public static final long DAY_MS = 24 * HOUR_MS;

    private static final DateTimeFormatter HOUR_LABEL =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH").withZone(ZoneOffset.UTC);

    private IngestTags() {
    }

    public static long tagOf(long ingestTimeMillis) {
        return Math.floorDiv(ingestTimeMillis, HOUR_MS) * HOUR_MS;
    }

    /** The tag of a record derived from several records: the latest tag of its inputs. */
    public static long derivedTag(long... inputTags) {
        long max = Long.MIN_VALUE;
        for (long t : inputTags) {
            max = Math.max(max, t);
        }
        return max;
    }

    public static boolean isHourStart(long millis) {
        return Math.floorMod(millis, HOUR_MS) == 0;
    }

    /** {@code 2026-11-26T10} for the hour starting at that instant. */
    public static String hourLabel(long hourStart) {
        return HOUR_LABEL.format(Instant.ofEpochMilli(hourStart));
    }

    /** Parses {@code YYYY-MM-DDTHH} back to the hour's start in epoch millis. */
    public static long parseHourLabel(String label) {
        try {
            return Instant.parse(label + ":00:00Z").toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not an hour label (YYYY-MM-DDTHH): '" + label + "'", e);
        }
    }
}
