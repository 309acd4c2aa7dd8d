package dev.tandem.serving.realtime;

import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.ViewDefinition;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An immutable view of the speed layer's changelog at one moment: per view, bucket → dims →
 * (tag → absolute aggregate). Queries take one snapshot and read only it.
 *
 * <p>The realtime side reports its coverage as {@link #oldestTag()}: the smallest ingest tag it
 * holds for any view. Everything with a tag at or above it that the speed layer has processed is
 * here; anything older has left its retention (tombstoned) and must come from the batch layer.
 *
 * @param views      view name → bucket start → dims → tag → aggregate (all levels read-only)
 * @param oldestTag  the oldest tag held, or null when empty
 * @param newestTag  the newest tag held, or null when empty
 * @param entries    number of (view, dims, bucket, tag) entries
 * @param version    increases with every published snapshot
 */
public record RealtimeSnapshot(Map<String, NavigableMap<Long, Map<List<String>, Map<Long, Aggregate>>>> views,
                               Long oldestTag, Long newestTag, long entries, long version) {

    public static final RealtimeSnapshot EMPTY = new RealtimeSnapshot(Map.of(), null, null, 0, 0);

    public Optional<Long> oldest() {
        return Optional.ofNullable(oldestTag);
    }

    public Optional<Long> newest() {
        return Optional.ofNullable(newestTag);
    }

    /** Buckets of one view with {@code from <= bucket < to}. */
    public NavigableMap<Long, Map<List<String>, Map<Long, Aggregate>>> range(ViewDefinition view, long from, long to) {
        NavigableMap<Long, Map<List<String>, Map<Long, Aggregate>>> m = views.get(view.name());
        if (m == null || from >= to) {
            return Collections.emptyNavigableMap();
        }
        return m.subMap(from, true, to, false);
    }

    /** tag → aggregate of one key, empty when the speed layer has nothing for it. */
    public Map<Long, Aggregate> tags(ViewDefinition view, List<String> dims, long bucket) {
        NavigableMap<Long, Map<List<String>, Map<Long, Aggregate>>> m = views.get(view.name());
        if (m == null) {
            return Map.of();
        }
        Map<List<String>, Map<Long, Aggregate>> b = m.get(bucket);
        if (b == null) {
            return Map.of();
        }
        Map<Long, Aggregate> t = b.get(dims);
        return t == null ? Map.of() : t;
    }

    static NavigableMap<Long, Map<List<String>, Map<Long, Aggregate>>> emptyView() {
        return Collections.unmodifiableNavigableMap(new TreeMap<>());
    }
}
