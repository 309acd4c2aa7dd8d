package dev.tandem.serving.http;

import dev.tandem.serving.query.QueryService;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Prometheus text exposition (format 0.0.4), written by hand to keep the module's dependencies
 * small: a request latency histogram and a request counter per route and status, and gauges for
 * realtime lag, batch age and coverage read from the query service at scrape time.
 */
public final class RequestMetrics {

    /** Histogram bucket bounds in seconds; the dashboard query's goal is p99 ≤ 5 ms. */
    static final double[] BOUNDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

    private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();

    private static final class Histogram {
        final LongAdder[] counts = new LongAdder[BOUNDS.length + 1];
        final DoubleAdder sum = new DoubleAdder();

        Histogram() {
            for (int i = 0; i < counts.length; i++) {
                counts[i] = new LongAdder();
            }
        }

        void observe(double seconds) {
            int i = 0;
            while (i < BOUNDS.length && seconds > BOUNDS[i]) {
                i++;
            }
            counts[i].increment();
            sum.add(seconds);
        }
    }

    public void observe(String route, int status, long nanos) {
        latency.computeIfAbsent(route, r -> new Histogram()).observe(nanos / 1e9);
        requests.computeIfAbsent(route + "\u0000" + status, k -> new LongAdder()).increment();
    }

    public String scrape(QueryService.Gauges g) {
        StringBuilder sb = new StringBuilder(4096);
        sb.append("# HELP tandem_serving_request_duration_seconds Time to answer an HTTP request, by route.\n");
        sb.append("# TYPE tandem_serving_request_duration_seconds histogram\n");
        for (Map.Entry<String, Histogram> e : new TreeMap<>(latency).entrySet()) {
            String route = escape(e.getKey());
            long cumulative = 0;
            for (int i = 0; i <= BOUNDS.length; i++) {
                cumulative += e.getValue().counts[i].sum();
                String le = i < BOUNDS.length ? num(BOUNDS[i]) : "+Inf";
                sb.append("tandem_serving_request_duration_seconds_bucket{route=\"").append(route)
                        .append("\",le=\"").append(le).append("\"} ").append(cumulative).append('\n');
            }
            sb.append("tandem_serving_request_duration_seconds_sum{route=\"").append(route).append("\"} ")
                    .append(num(e.getValue().sum.sum())).append('\n');
            sb.append("tandem_serving_request_duration_seconds_count{route=\"").append(route).append("\"} ")
                    .append(cumulative).append('\n');
        }
        sb.append("# HELP tandem_serving_requests_total HTTP requests answered, by route and status.\n");
        sb.append("# TYPE tandem_serving_requests_total counter\n");
        for (Map.Entry<String, LongAdder> e : new TreeMap<>(requests).entrySet()) {
            String[] parts = e.getKey().split("\u0000", 2);
            sb.append("tandem_serving_requests_total{route=\"").append(escape(parts[0])).append("\",status=\"")
                    .append(parts[1]).append("\"} ").append(e.getValue().sum()).append('\n');
        }
        gauge(sb, "tandem_serving_batch_age_seconds", "Seconds since the served batch run was created (NaN before the first publish).", g.batchAgeSeconds());
        gauge(sb, "tandem_serving_batch_cutoff_age_seconds", "Seconds between the served batch cutoff H and now.", g.batchCutoffAgeSeconds());
        gauge(sb, "tandem_serving_batch_loaded", "1 when a batch version is served.", g.batchLoaded() ? 1 : 0);
        gauge(sb, "tandem_serving_realtime_lag_records", "Changelog records not yet applied by the realtime store.", g.realtimeLagRecords());
        gauge(sb, "tandem_serving_realtime_last_record_age_seconds", "Seconds since the timestamp of the newest changelog record applied.", g.realtimeLastRecordAgeSeconds());
        gauge(sb, "tandem_serving_realtime_entries", "(view, dims, bucket, tag) entries in the realtime store.", g.realtimeEntries());
        gauge(sb, "tandem_serving_realtime_ready", "1 once the realtime store has replayed the changelog.", g.realtimeReady() ? 1 : 0);
        gauge(sb, "tandem_serving_coverage_gap_hours", "Ingest hours in neither layer (batch cutoff behind the speed layer's oldest tag).", g.coverageGapHours());
        return sb.toString();
    }

    /** The answer cache's counters (nothing when answers are not cached). */
    public static String answerCache(AnswerCache cache) {
        if (cache == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(512);
        counter(sb, "tandem_serving_answer_cache_hits_total", "Series/top requests answered from a stored answer.", cache.hits());
        counter(sb, "tandem_serving_answer_cache_misses_total", "Series/top answers computed (the stored ones of the current snapshots missed).", cache.misses());
        counter(sb, "tandem_serving_answer_cache_generations_total", "Times the snapshots changed under the cache and every stored answer was dropped.", cache.generations());
        return sb.toString();
    }

    private static void counter(StringBuilder sb, String name, String help, long v) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" counter\n");
        sb.append(name).append(' ').append(v).append('\n');
    }

    private static void gauge(StringBuilder sb, String name, String help, double v) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" gauge\n");
        sb.append(name).append(' ').append(num(v)).append('\n');
    }

    private static String num(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.valueOf((long) v);
        }
        return java.math.BigDecimal.valueOf(v).toPlainString();
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
