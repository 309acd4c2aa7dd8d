package dev.tandem.core.storage;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * Run ids sort by creation time and name their engine: {@code 20261126T102200Z-spark-3f9a}.
 * The suffix keeps two runs started in the same second apart.
 */
public final class RunIds {

    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern VALID = Pattern.compile("[0-9]{8}T[0-9]{6}Z-[a-z0-9]+-[0-9a-f]{4,}");

    private RunIds() {
    }

    public static String newRunId(String engine, Instant now, long entropy) {
        return STAMP.format(now) + "-" + engine.toLowerCase() + "-" + String.format("%04x", entropy & 0xffff);
    }

    public static boolean isValid(String runId) {
        return runId != null && VALID.matcher(runId).matches();
    }
}
