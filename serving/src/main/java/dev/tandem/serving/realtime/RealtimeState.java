package dev.tandem.serving.realtime;

import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.RealtimeCodec;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.Views;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * The changelog folded into a table, owned by one writer thread. Records are upserts of absolute
 * values (never deltas), so applying the compacted topic from the beginning rebuilds exactly the
 * speed layer's state; a null value (tombstone) removes the key.
 *
 * <p>{@link #publish()} freezes the current state into a {@link RealtimeSnapshot} copy-on-write:
 * only buckets touched since the previous publish are copied, the rest is shared with it.
 */
public final class RealtimeState {

    private static final Logger LOG = LoggerFactory.getLogger(RealtimeState.class);

    private final Map<String, TreeMap<Long, Map<List<String>, TreeMap<Long, Aggregate>>>> working = new HashMap<>();
    private final Map<String, Set<Long>> dirty = new HashMap<>();
    private final TreeMap<Long, Integer> entriesByTag = new TreeMap<>();
    private long entries;
    private long corrupt;
    private long applied;
    private RealtimeSnapshot last = RealtimeSnapshot.EMPTY;

    /** Applies one raw changelog record; an undecodable record is counted and skipped. */
    public void applyRecord(byte[] key, byte[] value) {
        RealtimeCodec.RealtimeKey k;
        Aggregate a;
        try {
            k = RealtimeCodec.decodeKey(key);
            if (!Views.exists(k.view())) {
                throw new IllegalArgumentException("unknown view '" + k.view() + "'");
            }
            ViewDefinition view = Views.byName(k.view());
            if (k.key().dims().size() != view.dimensions().size()) {
                throw new IllegalArgumentException("key has " + k.key().dims().size() + " dims, view " + view.name()
                        + " has " + view.dimensions().size());
            }
            a = value == null ? null : RealtimeCodec.decodeValue(view, value);
        } catch (RuntimeException e) {
            if (corrupt++ < 10) {
                LOG.warn("skipping undecodable realtime record: {}", e.getMessage());
            }
            return;
        }
        apply(k, a);
    }

    /** Upserts (or with a null aggregate, removes) one entry. */
    public void apply(RealtimeCodec.RealtimeKey k, Aggregate value) {
        applied++;
        long bucket = k.key().bucketStart();
        List<String> dims = List.copyOf(k.key().dims());
        TreeMap<Long, Map<List<String>, TreeMap<Long, Aggregate>>> view = working.computeIfAbsent(k.view(), v -> new TreeMap<>());
        Map<List<String>, TreeMap<Long, Aggregate>> b = view.get(bucket);
        if (value == null) {
            if (b == null) {
                return;
            }
            TreeMap<Long, Aggregate> tags = b.get(dims);
            if (tags == null || tags.remove(k.tag()) == null) {
                return;
            }
            countTag(k.tag(), -1);
            if (tags.isEmpty()) {
                b.remove(dims);
                if (b.isEmpty()) {
                    view.remove(bucket);
                }
            }
        } else {
            if (b == null) {
                b = new HashMap<>();
                view.put(bucket, b);
            }
            if (b.computeIfAbsent(dims, d -> new TreeMap<>()).put(k.tag(), value) == null) {
                countTag(k.tag(), +1);
            }
        }
        dirty.computeIfAbsent(k.view(), v -> new HashSet<>()).add(bucket);
    }

    private void countTag(long tag, int delta) {
        entries += delta;
        entriesByTag.merge(tag, delta, (x, y) -> x + y == 0 ? null : x + y);
    }

    public boolean hasChanges() {
        return !dirty.isEmpty();
    }

    /** A new immutable snapshot of the state (the previous one if nothing changed). */
    public RealtimeSnapshot publish() {
        if (dirty.isEmpty()) {
            return last;
        }
        Map<String, NavigableMap<Long, Map<List<String>, Map<Long, Aggregate>>>> views = new HashMap<>(last.views());
        for (Map.Entry<String, Set<Long>> d : dirty.entrySet()) {
            TreeMap<Long, Map<List<String>, Map<Long, Aggregate>>> next = new TreeMap<>(
                    views.getOrDefault(d.getKey(), RealtimeSnapshot.emptyView()));
            TreeMap<Long, Map<List<String>, TreeMap<Long, Aggregate>>> src = working.get(d.getKey());
            for (Long bucket : d.getValue()) {
                Map<List<String>, TreeMap<Long, Aggregate>> b = src.get(bucket);
                if (b == null) {
                    next.remove(bucket);
                } else {
                    Map<List<String>, Map<Long, Aggregate>> frozen = new HashMap<>(b.size() * 2);
                    b.forEach((dims, tags) -> frozen.put(dims, Collections.unmodifiableSortedMap(new TreeMap<>(tags))));
                    next.put(bucket, Collections.unmodifiableMap(frozen));
                }
            }
            views.put(d.getKey(), Collections.unmodifiableNavigableMap(next));
        }
        dirty.clear();
        last = new RealtimeSnapshot(Map.copyOf(views),
                entriesByTag.isEmpty() ? null : entriesByTag.firstKey(),
                entriesByTag.isEmpty() ? null : entriesByTag.lastKey(),
                entries, last.version() + 1);
        return last;
    }

    public long corruptRecords() {
        return corrupt;
    }

    public long appliedRecords() {
        return applied;
    }
}
