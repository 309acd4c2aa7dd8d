package dev.tandem.core.time;

import java.util.Optional;
import java.util.SortedSet;

/**
 * The batch cutoff rule (DESIGN §3): a batch run covers exactly the records whose tag is below H,
 * and every master hour below H must be complete. Starting from the oldest complete hour, H is
 * therefore the first hour that is not complete: a gap means "not complete yet", and nothing after
 * a gap may be batched even if later hours are already complete.
 */
public final class BatchCutoff {

    private BatchCutoff() {
    }

    /**
     * @param completeHours hour starts that have {@code _SUCCESS}
     * @return H, or empty when no hour is complete yet
     */
    public static Optional<Long> of(SortedSet<Long> completeHours) {
        if (completeHours.isEmpty()) {
            return Optional.empty();
        }
        long h = completeHours.first();
        if (!IngestTags.isHourStart(h)) {
            throw new IllegalArgumentException("not an hour start: " + h);
        }
        while (completeHours.contains(h)) {
            h += IngestTags.HOUR_MS;
        }
        return Optional.of(h);
    }

    /** Whether a record with this tag belongs to the batch version with cutoff H. */
    public static boolean inBatch(long tag, long cutoffH) {
        return tag < cutoffH;
    }
}
