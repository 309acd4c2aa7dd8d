package dev.tandem.serving.testing;

import dev.tandem.core.storage.RunManifest;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.RealtimeCodec;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewKey;
import dev.tandem.core.view.ViewTable;
import dev.tandem.core.view.Views;
import dev.tandem.serving.batch.BatchSnapshot;
import dev.tandem.serving.batch.BatchView;
import dev.tandem.serving.batch.ViewIndex;
import dev.tandem.serving.query.Metrics;
import dev.tandem.serving.realtime.InMemoryRealtimeStore;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Builds the two layers from reference-evaluator tables, the way the real layers would hold
 * them: a batch snapshot with {@code table.batch(H)} and a realtime store with the speed layer's
 * entries (view, dims, bucket, tag) — through the changelog codec, so the store decodes what
 * the speed layer would write.
 */
public final class Layers {

    private Layers() {
    }

    public static BatchSnapshot batch(Map<String, ViewTable> tables, long cutoffH, String runId) {
        Map<String, BatchView> views = new HashMap<>();
        Map<String, Long> counts = new HashMap<>();
        for (ViewDefinition v : Views.ALL) {
            SortedMap<ViewKey, Aggregate> rows = tables.containsKey(v.name()) ? tables.get(v.name()).batch(cutoffH) : new TreeMap<>();
            views.put(v.name(), ViewIndex.of(v, rows));
            counts.put(v.name(), (long) rows.size());
        }
        RunManifest m = new RunManifest(runId, "test", "full", Instant.ofEpochMilli(cutoffH).toString(), null, null,
                Map.of(), counts, Map.of(), Instant.ofEpochMilli(cutoffH).plusSeconds(900).toString());
        return new BatchSnapshot(runId, m, cutoffH, cutoffH + 1_000_000, views);
    }

    /** The speed layer holding every tag in [fromTag, toTag). */
    public static InMemoryRealtimeStore realtime(Map<String, ViewTable> tables, long fromTag, long toTag) {
        InMemoryRealtimeStore store = new InMemoryRealtimeStore();
        fill(store, tables, fromTag, toTag);
        return store;
    }

    public static void fill(InMemoryRealtimeStore store, Map<String, ViewTable> tables, long fromTag, long toTag) {
        List<InMemoryRealtimeStore.Record> records = new java.util.ArrayList<>();
        for (ViewTable t : tables.values()) {
            t.byTag().forEach((key, tags) -> tags.forEach((tag, agg) -> {
                if (tag >= fromTag && tag < toTag) {
                    records.add(new InMemoryRealtimeStore.Record(RealtimeCodec.encodeKey(t.view().name(), key, tag),
                            RealtimeCodec.encodeValue(agg), tag));
                }
            }));
        }
        store.putRecords(records);
    }

    /** Reference rows with the tags in [fromTag, toTag) only. */
    public static SortedMap<ViewKey, Aggregate> tagRange(ViewTable t, long fromTag, long toTag) {
        SortedMap<ViewKey, Aggregate> out = new TreeMap<>();
        t.byTag().forEach((key, tags) -> tags.forEach((tag, agg) -> {
            if (tag >= fromTag && tag < toTag) {
                out.merge(key, agg.copy(), Aggregate::merge);
            }
        }));
        return out;
    }

    /** Rows as the API shows them: key → metric → value (Long, or Double/null for ctr). */
    public static Map<ViewKey, Map<String, Object>> expected(ViewDefinition view, Map<ViewKey, Aggregate> rows) {
        Map<ViewKey, Map<String, Object>> out = new TreeMap<>();
        rows.forEach((k, a) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            for (String name : Metrics.names(view)) {
                m.put(name, Metrics.value(a, name));
            }
            out.put(k, m);
        });
        return out;
    }

    /** Answer rows keyed like reference rows; {@code dims} are the row's dimension columns in order. */
    public static Map<ViewKey, Map<String, Object>> served(List<Map<String, Object>> rows, List<String> dims,
                                                           List<String> metrics) {
        Map<ViewKey, Map<String, Object>> out = new TreeMap<>();
        for (Map<String, Object> r : rows) {
            List<String> d = dims.stream().map(n -> (String) r.get(n)).toList();
            Map<String, Object> m = new LinkedHashMap<>();
            for (String name : metrics) {
                Object v = r.get(name);
                m.put(name, v instanceof Integer i ? Long.valueOf(i) : v);
            }
            ViewKey k = new ViewKey(d, Instant.parse((String) r.get("bucket_start")).toEpochMilli());
            if (out.put(k, m) != null) {
                throw new AssertionError("row for " + k + " served twice");
            }
        }
        return out;
    }

    /** Rolls reference rows up with the monoid: buckets to {@code granularityMs}, dims to the positions kept. */
    public static SortedMap<ViewKey, Aggregate> rollup(Map<ViewKey, Aggregate> rows, long granularityMs, int... keep) {
        SortedMap<ViewKey, Aggregate> out = new TreeMap<>();
        rows.forEach((k, a) -> {
            List<String> d = java.util.Arrays.stream(keep).mapToObj(i -> k.dims().get(i)).toList();
            out.merge(new ViewKey(d, Math.floorDiv(k.bucketStart(), granularityMs) * granularityMs), a.copy(), Aggregate::merge);
        });
        return out;
    }
}
