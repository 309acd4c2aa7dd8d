package dev.tandem.serving.batch;

import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.Hll;
import dev.tandem.core.view.MetricDefinition;
import dev.tandem.core.view.MetricKind;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewKey;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * One view of one batch version, held in memory as parallel arrays sorted by
 * {@link ViewKey} order (bucket first, then dimensions), so a time range is two binary searches
 * and a contiguous scan. Immutable: the aggregates inside are never mutated after construction
 * (readers that need to combine them copy first, as {@code LayerMerge} does).
 */
public final class ViewIndex implements BatchView {

    private final ViewDefinition view;
    private final long[] buckets;
    private final ViewKey[] keys;
    private final Aggregate[] values;
    /** Per row, the rounded estimate of each distinct metric (by metric index), computed once at load. */
    private final long[][] estimates;

    private ViewIndex(ViewDefinition view, ViewKey[] keys, Aggregate[] values) {
        this.view = view;
        this.keys = keys;
        this.values = values;
        this.buckets = new long[keys.length];
        this.estimates = new long[keys.length][];
        List<MetricDefinition> metrics = view.metrics();
        for (int i = 0; i < keys.length; i++) {
            buckets[i] = keys[i].bucketStart();
            long[] e = new long[metrics.size()];
            for (int m = 0; m < e.length; m++) {
                if (metrics.get(m).kind() == MetricKind.DISTINCT) {
                    e[m] = Hll.estimateCount(values[i].sketch(metrics.get(m).name()));
                }
            }
            estimates[i] = e;
        }
    }

    /** Builds an index from rows sorted or not; the map's aggregates are taken over, not copied. */
    public static ViewIndex of(ViewDefinition view, SortedMap<ViewKey, Aggregate> rows) {
        ViewKey[] k = new ViewKey[rows.size()];
        Aggregate[] v = new Aggregate[rows.size()];
        int i = 0;
        for (Map.Entry<ViewKey, Aggregate> e : rows.entrySet()) {
            k[i] = e.getKey();
            v[i] = e.getValue();
            i++;
        }
        return new ViewIndex(view, k, v);
    }

    public static ViewIndex empty(ViewDefinition view) {
        return new ViewIndex(view, new ViewKey[0], new Aggregate[0]);
    }

    @Override
    public ViewDefinition view() {
        return view;
    }

    @Override
    public int size() {
        return keys.length;
    }

    /** The whole index: it is in memory already, and scans are by range anyway. */
    @Override
    public ViewIndex slice(long from, long to, Map<String, Set<String>> filters) {
        return this;
    }

    /** The aggregate stored for this key, or null. Do not mutate it. */
    public Aggregate get(ViewKey key) {
        int i = Arrays.binarySearch(keys, key);
        return i >= 0 ? values[i] : null;
    }

    /** Visits the rows with {@code from <= bucket_start < to}, in key order. */
    public void scan(long from, long to, RowVisitor visitor) {
        for (int i = lowerBound(from); i < keys.length && buckets[i] < to; i++) {
            visitor.visit(keys[i], values[i], estimates[i]);
        }
    }

    /** All rows in key order (tests, diagnostics). */
    public List<ViewKey> keys() {
        return new ArrayList<>(Arrays.asList(keys));
    }

    private int lowerBound(long bucket) {
        int lo = 0;
        int hi = buckets.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (buckets[mid] < bucket) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Receives one stored row with its precomputed distinct estimates (by metric index; read only). */
    @FunctionalInterface
    public interface RowVisitor {
        void visit(ViewKey key, Aggregate value, long[] distinctEstimates);
    }
}
