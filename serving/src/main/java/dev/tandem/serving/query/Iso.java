package dev.tandem.serving.query;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** ISO-8601 UTC timestamps as the API reads and writes them. */
public final class Iso {

    private Iso() {
    }

    public static String format(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }

    public static String formatOrNull(Long millis) {
        return millis == null ? null : format(millis);
    }

    /** Parses {@code 2026-11-20T05:00:00Z} (any ISO instant) or a date {@code 2026-11-20} (its UTC midnight). */
    public static long parse(String name, String value) {
        if (value.length() > 40) {
            throw QueryException.badParameter(name + " is not an ISO-8601 UTC timestamp");
        }
        try {
            if (value.length() == 10) {
                return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            }
            Instant i = Instant.parse(value);
            if (i.isBefore(Instant.parse("1970-01-01T00:00:00Z")) || i.isAfter(Instant.parse("9999-01-01T00:00:00Z"))) {
                throw QueryException.badParameter(name + " is out of range: " + value);
            }
            return i.toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            throw QueryException.badParameter(name + " is not an ISO-8601 UTC timestamp like 2026-11-20T05:00:00Z: '"
                    + printable(value) + "'");
        }
    }

    /** A value safe to echo in an error detail: bounded length, control characters replaced. */
    public static String printable(String s) {
        String t = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        StringBuilder sb = new StringBuilder(t.length());
        t.codePoints().forEach(c -> sb.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return sb.toString();
    }
}
