package dev.tandem.core.view;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The rows of one view split by ingest tag: key → (tag → aggregate). This is the shape the speed
 * layer keeps; summing the tags below a cutoff gives a batch version, the tags at or above it the
 * realtime part (DESIGN §3).
 */
public final class ViewTable {

    private final ViewDefinition view;
    private final SortedMap<ViewKey, SortedMap<Long, Aggregate>> rows = new TreeMap<>();

    public ViewTable(ViewDefinition view) {
        this.view = view;
    }

    public ViewDefinition view() {
        return view;
    }

    public void add(ViewKey key, long tag, Aggregate partial) {
        rows.computeIfAbsent(key, k -> new TreeMap<>())
                .merge(tag, partial, Aggregate::merge);
    }

    /** key → (tag → aggregate), read-only. */
    public SortedMap<ViewKey, SortedMap<Long, Aggregate>> byTag() {
        return Collections.unmodifiableSortedMap(rows);
    }

    /** Every tag summed: the exact answer over all input. */
    public SortedMap<ViewKey, Aggregate> total() {
        return sum(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** What a batch version with cutoff H holds: tags below H. */
    public SortedMap<ViewKey, Aggregate> batch(long cutoffH) {
        return sum(Long.MIN_VALUE, cutoffH);
    }

    /** What the speed layer contributes on top of cutoff H: key → (tag ≥ H → aggregate). */
    public SortedMap<ViewKey, SortedMap<Long, Aggregate>> realtime(long cutoffH) {
        SortedMap<ViewKey, SortedMap<Long, Aggregate>> out = new TreeMap<>();
        rows.forEach((k, tags) -> {
            SortedMap<Long, Aggregate> tail = tags.tailMap(cutoffH);
            if (!tail.isEmpty()) {
                out.put(k, new TreeMap<>(tail));
            }
        });
        return out;
    }

    private SortedMap<ViewKey, Aggregate> sum(long fromTagInclusive, long toTagExclusive) {
        SortedMap<ViewKey, Aggregate> out = new TreeMap<>();
        for (Map.Entry<ViewKey, SortedMap<Long, Aggregate>> e : rows.entrySet()) {
            Aggregate acc = null;
            for (Map.Entry<Long, Aggregate> t : e.getValue().entrySet()) {
                if (t.getKey() >= fromTagInclusive && t.getKey() < toTagExclusive) {
                    acc = acc == null ? t.getValue().copy() : acc.merge(t.getValue());
                }
            }
            if (acc != null) {
                out.put(e.getKey(), acc);
            }
        }
        return out;
    }
}
