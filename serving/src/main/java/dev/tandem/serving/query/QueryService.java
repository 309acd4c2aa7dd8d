package dev.tandem.serving.query;

import dev.tandem.core.storage.RunManifest;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.Granularity;
import dev.tandem.core.view.MetricDefinition;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewKey;
import dev.tandem.core.view.Views;
import dev.tandem.serving.batch.BatchSnapshot;
import dev.tandem.serving.batch.BatchSource;
import dev.tandem.serving.realtime.RealtimeSnapshot;
import dev.tandem.serving.realtime.RealtimeStatus;
import dev.tandem.serving.realtime.RealtimeStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The serving layer's queries, free of HTTP: each reads one batch snapshot and one realtime
 * snapshot (taken once, at the start), merges them per key with core's {@code LayerMerge}, rolls
 * keys up to the requested granularity and dimensions by merging aggregates (sketches included,
 * never estimates), and only then derives ctr and distinct-count estimates.
 */
public final class QueryService {

    private final BatchSource batch;
    private final RealtimeStore realtime;
    private final LongSupplier clock;
    private final Supplier<Optional<String>> batchError;

    public QueryService(BatchSource batch, RealtimeStore realtime, LongSupplier clock,
                        Supplier<Optional<String>> batchError) {
        this.batch = batch;
        this.realtime = realtime;
        this.clock = clock;
        this.batchError = batchError;
    }

    public QueryService(BatchSource batch, RealtimeStore realtime, LongSupplier clock) {
        this(batch, realtime, clock, Optional::empty);
    }

    /** The answer of a series query; {@code rows} are JSON-ready maps. */
    public record SeriesAnswer(String view, String granularity, String from, String to, Map<String, Object> batch,
                               List<String> warnings, List<String> groupBy, List<String> metrics,
                               List<Map<String, Object>> rows) {
    }

    public record TopAnswer(String view, String from, String to, String by, int limit, Map<String, Object> batch,
                            List<String> warnings, List<Map<String, Object>> rows) {
    }

    private record Group(long bucket, List<String> dims) {
    }

    private static final Comparator<Map.Entry<Group, Acc>> ROW_ORDER =
            Comparator.comparingLong((Map.Entry<Group, Acc> e) -> e.getKey().bucket())
                    .thenComparing(e -> e.getKey().dims(), QueryService::compareDims);

    private static void checkLimits(int rows, Set<List<String>> series, List<String> dims) {
        if (rows > QueryLimits.MAX_ROWS) {
            throw QueryException.tooLarge("the answer would hold more than " + QueryLimits.MAX_ROWS
                    + " rows; narrow the range, filter dimensions, group by fewer or use granularity=day");
        }
        if (series.add(dims) && series.size() > QueryLimits.MAX_GROUPS) {
            throw QueryException.tooLarge("the answer would hold more than " + QueryLimits.MAX_GROUPS
                    + " series (dimension combinations); filter dimensions or group by fewer");
        }
    }

    /**
     * A roll-up accumulator. It starts either with its own aggregate or with a borrowed one from
     * the batch index (with that row's precomputed estimates), and copies a borrowed aggregate
     * only when something must be merged into it.
     */
    private static final class Acc {
        Aggregate value;
        long[] borrowedEstimates;

        Acc(Aggregate value, long[] borrowedEstimates) {
            this.value = value;
            this.borrowedEstimates = borrowedEstimates;
        }

        void add(Aggregate other) {
            if (borrowedEstimates != null) {
                value = value.copy();
                borrowedEstimates = null;
            }
            value.merge(other);
        }

        Object metric(String name) {
            if (borrowedEstimates != null && !Metrics.isDerived(name) && Metrics.isDistinct(value.view(), name)) {
                return borrowedEstimates[value.view().metricIndex(name)];
            }
            return Metrics.value(value, name);
        }
    }

    /**
     * The two snapshots one query reads, taken together, and whether the realtime store had
     * caught up. Answers are a pure function of the query and these (compared by identity, see
     * {@code http.AnswerCache}).
     */
    public record Snapshots(BatchSnapshot batch, RealtimeSnapshot realtime, boolean realtimeReady) {
    }

    public Snapshots snapshots() {
        return new Snapshots(batch.current(), realtime.snapshot(), realtime.ready());
    }

    public SeriesAnswer series(SeriesQuery q) {
        return series(q, snapshots());
    }

    public TopAnswer top(TopQuery q) {
        return top(q, snapshots());
    }

    public SeriesAnswer series(SeriesQuery q, Snapshots snaps) {
        BatchSnapshot b = snaps.batch();
        RealtimeSnapshot r = snaps.realtime();
        ViewDefinition view = q.view();
        List<String> dimNames = view.dimensionNames();
        int[] keep = q.groupBy().stream().mapToInt(dimNames::indexOf).toArray();
        boolean identity = keep.length == dimNames.size() && q.granularity() == view.granularity()
                && isIdentityOrder(keep);
        Granularity g = q.granularity();
        List<Map.Entry<Group, Acc>> sorted;
        Set<List<String>> series = new HashSet<>();
        if (identity) {
            // Every key is one row and the scan visits each key once, batch keys already in order:
            // no roll-up map, and a sort only if the speed layer added keys the batch lacks.
            List<Map.Entry<Group, Acc>> list = new ArrayList<>();
            boolean[] inOrder = {true};
            ViewKey[] last = {null};
            MergedScan.scan(view, b, r, q.from(), q.to(), q.filters(), (key, merged, estimates) -> {
                if (last[0] != null && last[0].compareTo(key) > 0) {
                    inOrder[0] = false;
                }
                last[0] = key;
                list.add(Map.entry(new Group(key.bucketStart(), key.dims()), new Acc(merged, estimates)));
                checkLimits(list.size(), series, key.dims());
            });
            if (!inOrder[0]) {
                list.sort(ROW_ORDER);
            }
            sorted = list;
        } else {
            Map<Group, Acc> acc = new HashMap<>();
            MergedScan.scan(view, b, r, q.from(), q.to(), q.filters(), (key, merged, estimates) -> {
                List<String> dims = pick(key.dims(), keep);
                Group grp = new Group(g.bucketStart(key.bucketStart()), dims);
                Acc prev = acc.putIfAbsent(grp, new Acc(merged, estimates));
                if (prev != null) {
                    prev.add(merged);
                } else {
                    checkLimits(acc.size(), series, dims);
                }
            });
            sorted = new ArrayList<>(acc.entrySet());
            sorted.sort(ROW_ORDER);
        }
        List<Map<String, Object>> rows = new ArrayList<>(sorted.size());
        Map<Long, String> isoCache = new HashMap<>();
        for (Map.Entry<Group, Acc> e : sorted) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("bucket_start", isoCache.computeIfAbsent(e.getKey().bucket(), Iso::format));
            for (int i = 0; i < q.groupBy().size(); i++) {
                row.put(q.groupBy().get(i), e.getKey().dims().get(i));
            }
            for (String m : q.metrics()) {
                row.put(m, e.getValue().metric(m));
            }
            rows.add(row);
        }
        return new SeriesAnswer(view.name(), g.name().toLowerCase(Locale.ROOT), Iso.format(q.from()), Iso.format(q.to()),
                batchRef(b), Coverage.of(b, r).warnings(snaps.realtimeReady()), q.groupBy(), q.metrics(), rows);
    }

    public TopAnswer top(TopQuery q, Snapshots snaps) {
        BatchSnapshot b = snaps.batch();
        RealtimeSnapshot r = snaps.realtime();
        ViewDefinition view = q.view();
        Map<List<String>, Acc> accs = new HashMap<>();
        MergedScan.scan(view, b, r, q.from(), q.to(), q.filters(), (key, merged, estimates) -> {
            Acc prev = accs.putIfAbsent(key.dims(), new Acc(merged, estimates));
            if (prev != null) {
                prev.add(merged);
            }
        });
        Map<List<String>, Aggregate> acc = new HashMap<>();
        accs.forEach((k, v) -> acc.put(k, v.value));
        List<Map.Entry<List<String>, Aggregate>> sorted = new ArrayList<>(acc.entrySet());
        sorted.sort(Comparator.comparingDouble((Map.Entry<List<String>, Aggregate> e) -> -Metrics.sortValue(e.getValue(), q.by()))
                .thenComparing(Map.Entry::getKey, QueryService::compareDims));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map.Entry<List<String>, Aggregate> e : sorted.subList(0, Math.min(q.limit(), sorted.size()))) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 0; i < view.dimensions().size(); i++) {
                row.put(view.dimensions().get(i).name(), e.getKey().get(i));
            }
            for (String m : q.metrics()) {
                row.put(m, Metrics.value(e.getValue(), m));
            }
            if (!q.metrics().contains(q.by())) {
                row.put(q.by(), Metrics.value(e.getValue(), q.by()));
            }
            rows.add(row);
        }
        return new TopAnswer(view.name(), Iso.format(q.from()), Iso.format(q.to()), q.by(), q.limit(), batchRef(b),
                Coverage.of(b, r).warnings(snaps.realtimeReady()), rows);
    }

    /** {@code GET /api/v1/views}: the views and what can be asked of them. */
    public List<Map<String, Object>> views() {
        BatchSnapshot b = batch.current();
        List<Map<String, Object>> out = new ArrayList<>();
        for (ViewDefinition v : Views.ALL) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", v.name());
            m.put("dimensions", v.dimensionNames());
            m.put("granularity", v.granularity().name().toLowerCase(Locale.ROOT));
            List<Map<String, Object>> metrics = new ArrayList<>();
            for (String name : Metrics.names(v)) {
                Map<String, Object> md = new LinkedHashMap<>();
                md.put("name", name);
                if (Metrics.isDerived(name)) {
                    md.put("kind", "derived");
                    md.put("definition", "attributed_clicks / impressions (null when impressions = 0)");
                } else {
                    MetricDefinition d = v.metrics().get(v.metricIndex(name));
                    md.put("kind", d.kind().name().toLowerCase(Locale.ROOT));
                }
                metrics.add(md);
            }
            m.put("metrics", metrics);
            m.put("batch_rows", b.view(v).size());
            out.add(m);
        }
        return out;
    }

    /** {@code GET /api/v1/status}: batch run, cutoff, speed lag, freshest ingest hour, coverage. */
    public Map<String, Object> status() {
        BatchSnapshot b = batch.current();
        RealtimeSnapshot r = realtime.snapshot();
        boolean ready = realtime.ready();
        RealtimeStatus rs = realtime.status();
        long now = clock.getAsLong();
        Coverage c = Coverage.of(b, r);

        Map<String, Object> bm = batchRef(b);
        RunManifest man = b.manifest();
        if (man != null) {
            bm.put("engine", man.engine());
            bm.put("mode", man.mode());
            bm.put("created_at", man.createdAt());
            Long age = ageSeconds(now, man.createdAt());
            bm.put("age_seconds", age);
        }
        bm.put("cutoff_age_seconds", b.exists() ? (now - b.cutoff()) / 1000 : null);
        bm.put("loaded_at", Iso.format(b.loadedAt()));
        Map<String, Object> rowsPerView = new LinkedHashMap<>();
        for (ViewDefinition v : Views.ALL) {
            rowsPerView.put(v.name(), b.view(v).size());
        }
        bm.put("rows", rowsPerView);
        bm.put("last_error", batchError.get().orElse(null));

        Map<String, Object> rm = new LinkedHashMap<>();
        rm.put("ready", ready);
        rm.put("source", rs.source());
        rm.put("entries", r.entries());
        rm.put("oldest_tag", Iso.formatOrNull(r.oldestTag()));
        rm.put("newest_tag", Iso.formatOrNull(r.newestTag()));
        rm.put("lag_records", rs.lagRecords());
        rm.put("last_record_time", rs.lastRecordTime() < 0 ? null : Iso.format(rs.lastRecordTime()));
        rm.put("last_record_age_seconds", rs.lastRecordTime() < 0 ? null : (now - rs.lastRecordTime()) / 1000);
        rm.put("applied_records", rs.appliedRecords());
        rm.put("corrupt_records", rs.corruptRecords());
        rm.put("last_error", rs.lastError());

        Map<String, Object> cm = new LinkedHashMap<>();
        cm.put("state", c.state());
        cm.put("complete", "complete".equals(c.state()));
        if (c.gapFrom() != null) {
            cm.put("gap", Map.of("from", Iso.format(c.gapFrom()), "to", Iso.format(c.gapTo()),
                    "hours", (c.gapTo() - c.gapFrom()) / 3_600_000L));
        } else {
            cm.put("gap", null);
        }
        cm.put("batch_cutoff", Iso.formatOrNull(c.batchCutoff()));
        cm.put("realtime_oldest_tag", Iso.formatOrNull(c.realtimeOldestTag()));

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("now", Iso.format(now));
        out.put("batch", bm);
        out.put("realtime", rm);
        out.put("coverage", cm);
        out.put("freshest_ingest_tag", Iso.formatOrNull(c.freshestTag()));
        out.put("warnings", c.warnings(ready));
        return out;
    }

    /** Numbers for /metrics. */
    public record Gauges(double batchAgeSeconds, double batchCutoffAgeSeconds, double realtimeLagRecords,
                         double realtimeLastRecordAgeSeconds, double realtimeEntries, boolean realtimeReady,
                         double coverageGapHours, boolean batchLoaded) {
    }

    public Gauges gauges() {
        BatchSnapshot b = batch.current();
        RealtimeSnapshot r = realtime.snapshot();
        RealtimeStatus rs = realtime.status();
        long now = clock.getAsLong();
        Coverage c = Coverage.of(b, r);
        Long age = b.manifest() == null ? null : ageSeconds(now, b.manifest().createdAt());
        return new Gauges(age == null ? Double.NaN : age,
                b.exists() ? (now - b.cutoff()) / 1000.0 : Double.NaN,
                rs.lagRecords() < 0 ? Double.NaN : rs.lagRecords(),
                rs.lastRecordTime() < 0 ? Double.NaN : (now - rs.lastRecordTime()) / 1000.0,
                r.entries(), realtime.ready(),
                c.gapFrom() == null ? 0 : (c.gapTo() - c.gapFrom()) / 3_600_000.0,
                b.exists());
    }

    public boolean ready() {
        return realtime.ready();
    }

    private static Map<String, Object> batchRef(BatchSnapshot b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run", b.runId());
        m.put("cutoff", b.exists() ? Iso.format(b.cutoff()) : null);
        return m;
    }

    private static Long ageSeconds(long now, String iso) {
        if (iso == null) {
            return null;
        }
        try {
            return (now - java.time.Instant.parse(iso).toEpochMilli()) / 1000;
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    private static boolean isIdentityOrder(int[] keep) {
        for (int i = 0; i < keep.length; i++) {
            if (keep[i] != i) {
                return false;
            }
        }
        return true;
    }

    private static List<String> pick(List<String> dims, int[] keep) {
        List<String> out = new ArrayList<>(keep.length);
        for (int i : keep) {
            out.add(dims.get(i));
        }
        return out;
    }

    private static int compareDims(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }
}
