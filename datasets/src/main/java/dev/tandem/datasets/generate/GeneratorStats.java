package dev.tandem.datasets.generate;

import dev.tandem.core.validation.RejectReason;

import java.util.EnumMap;
import java.util.Map;

/** What a generator made, by construction (the tests check it against what validation finds). */
public final class GeneratorStats {

    private long records;
    private long late;
    private long duplicates;
    private final Map<RejectReason, Long> bad = new EnumMap<>(RejectReason.class);

    void record(EventFactory.Made m) {
        records++;
        if (m.late()) {
            late++;
        }
        if (m.badReason() != null) {
            bad.merge(m.badReason(), 1L, Long::sum);
        }
    }

    void duplicate() {
        records++;
        duplicates++;
    }

    void unscheduled(int retries) {
        records -= retries;
        duplicates -= retries;
    }

    /** Records in the log, duplicates included. */
    public long records() {
        return records;
    }

    public long late() {
        return late;
    }

    public long duplicates() {
        return duplicates;
    }

    public long bad() {
        return bad.values().stream().mapToLong(Long::longValue).sum();
    }

    public Map<RejectReason, Long> badByReason() {
        return Map.copyOf(bad);
    }
}
