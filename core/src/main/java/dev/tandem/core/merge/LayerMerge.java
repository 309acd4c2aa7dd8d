package dev.tandem.core.merge;

import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.ViewDefinition;

import java.util.Map;
import java.util.Optional;

/**
 * The serving rule of DESIGN §3:
 * {@code value = batch_H ⊕ Σ_{tag ≥ H} realtime[tag]}, where H is the cutoff of the batch version
 * being served. Realtime tags below H are already inside the batch version and are ignored, which
 * is what makes a publish invisible: the new version absorbs exactly the tags it stops reading.
 */
public final class LayerMerge {

    private LayerMerge() {
    }

    /**
     * @param batch         the batch version's aggregate for this key, or null when it has none
     * @param cutoffH       the served version's cutoff; {@code Long.MIN_VALUE} when no batch exists
     * @param realtimeByTag the realtime snapshot's aggregates for this key, by tag
     * @return the merged value, or empty when neither layer has anything for the key
     */
    public static Optional<Aggregate> merge(ViewDefinition view, Aggregate batch, long cutoffH,
                                            Map<Long, Aggregate> realtimeByTag) {
        Aggregate acc = batch == null ? null : batch.copy();
        for (Map.Entry<Long, Aggregate> e : realtimeByTag.entrySet()) {
            if (e.getKey() >= cutoffH) {
                acc = acc == null ? e.getValue().copy() : acc.merge(e.getValue());
            }
        }
        if (acc != null && acc.view() != view) {
            throw new IllegalArgumentException("aggregate of " + acc.view().name() + " merged as " + view.name());
        }
        return Optional.ofNullable(acc);
    }

    /**
     * The hole in coverage, if any: when the batch cutoff H lies below the oldest tag the speed
     * layer still holds, tags in [H, oldest) are in neither layer.
     *
     * @return the missing tag range [from, to), or empty when coverage is complete
     */
    public static Optional<long[]> coverageGap(long cutoffH, long oldestRealtimeTag) {
        return cutoffH < oldestRealtimeTag ? Optional.of(new long[] {cutoffH, oldestRealtimeTag}) : Optional.empty();
    }
}
