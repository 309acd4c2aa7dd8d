package dev.tandem.serving.query;

import dev.tandem.core.merge.LayerMerge;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewKey;
import dev.tandem.serving.batch.BatchSnapshot;
import dev.tandem.serving.batch.ViewIndex;
import dev.tandem.serving.realtime.RealtimeSnapshot;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The merge of DESIGN §3 over a range of view buckets, for one batch snapshot and one realtime
 * snapshot: every key present in either layer gets {@code batch_H ⊕ Σ_{tag ≥ H} realtime[tag]}
 * through core's {@link LayerMerge}. Keys are visited once each: first the batch keys (with their
 * realtime tags), then the keys only the speed layer has.
 */
public final class MergedScan {

    private MergedScan() {
    }

    /**
     * Receives one merged key. When {@code estimates} is null the aggregate is a fresh copy the
     * receiver may keep and mutate; otherwise it is the batch version's stored aggregate (the key
     * has no realtime tag at or above H, so {@code LayerMerge} would return a copy of it), read
     * only, with its distinct estimates precomputed by metric index.
     */
    @FunctionalInterface
    public interface Sink {
        void accept(ViewKey key, Aggregate merged, long[] estimates);
    }

    public static void scan(ViewDefinition view, BatchSnapshot batch, RealtimeSnapshot realtime,
                            long from, long to, Map<String, Set<String>> filters, Sink sink) {
        long cutoff = batch.cutoff();
        ViewIndex index = batch.view(view).slice(from, to, filters);
        List<Set<String>> byPosition = filterByPosition(view, filters);
        index.scan(from, to, (key, stored, estimates) -> {
            if (matches(byPosition, key.dims())) {
                Map<Long, Aggregate> tags = realtime.tags(view, key.dims(), key.bucketStart());
                if (hasTagAtOrAbove(tags, cutoff)) {
                    LayerMerge.merge(view, stored, cutoff, tags).ifPresent(m -> sink.accept(key, m, null));
                } else {
                    sink.accept(key, stored, estimates); // batch ⊕ nothing: no copy needed
                }
            }
        });
        for (Map.Entry<Long, Map<List<String>, Map<Long, Aggregate>>> bucket : realtime.range(view, from, to).entrySet()) {
            for (Map.Entry<List<String>, Map<Long, Aggregate>> e : bucket.getValue().entrySet()) {
                if (!matches(byPosition, e.getKey())) {
                    continue;
                }
                ViewKey key = new ViewKey(e.getKey(), bucket.getKey());
                if (index.get(key) != null) {
                    continue; // merged above with its batch value
                }
                LayerMerge.merge(view, null, cutoff, e.getValue()).ifPresent(m -> sink.accept(key, m, null));
            }
        }
    }

    private static boolean hasTagAtOrAbove(Map<Long, Aggregate> tags, long cutoff) {
        for (Long t : tags.keySet()) {
            if (t >= cutoff) {
                return true;
            }
        }
        return false;
    }

    /** The filter of each dimension position (null: no filter). */
    private static List<Set<String>> filterByPosition(ViewDefinition view, Map<String, Set<String>> filters) {
        List<Set<String>> out = new java.util.ArrayList<>();
        for (String d : view.dimensionNames()) {
            out.add(filters.get(d));
        }
        return out;
    }

    private static boolean matches(List<Set<String>> filters, List<String> dims) {
        for (int i = 0; i < filters.size(); i++) {
            Set<String> f = filters.get(i);
            if (f != null && !f.contains(dims.get(i))) {
                return false;
            }
        }
        return true;
    }
}
