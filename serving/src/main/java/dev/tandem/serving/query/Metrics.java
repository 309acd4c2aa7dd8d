package dev.tandem.serving.query;

import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.Hll;
import dev.tandem.core.view.MetricDefinition;
import dev.tandem.core.view.MetricKind;
import dev.tandem.core.view.ViewDefinition;

import java.util.ArrayList;
import java.util.List;

/**
 * The metrics a view answers with: its stored metrics (counts, sums, distinct estimates of the
 * merged sketch) and derived ones computed from merged values at query time (DESIGN §4: ctr).
 */
public final class Metrics {

    public static final String CTR = "ctr";

    private Metrics() {
    }

    /** Metric names in answer order: ctr right after attributed_clicks. */
    public static List<String> names(ViewDefinition view) {
        List<String> out = new ArrayList<>();
        for (MetricDefinition m : view.metrics()) {
            out.add(m.name());
            if (m.name().equals("attributed_clicks") && hasCtr(view)) {
                out.add(CTR);
            }
        }
        return out;
    }

    public static boolean hasCtr(ViewDefinition view) {
        return view.metrics().stream().anyMatch(m -> m.name().equals("attributed_clicks"))
                && view.metrics().stream().anyMatch(m -> m.name().equals("impressions"));
    }

    public static boolean isDerived(String name) {
        return CTR.equals(name);
    }

    public static boolean isDistinct(ViewDefinition view, String name) {
        return !isDerived(name) && view.metrics().get(view.metricIndex(name)).kind() == MetricKind.DISTINCT;
    }

    /**
     * The value of one metric of a merged aggregate: a Long for counts, sums and distinct
     * estimates ({@code Hll.estimateCount} of the merged sketch), a Double for ctr, null for ctr
     * without impressions.
     */
    public static Object value(Aggregate a, String name) {
        if (CTR.equals(name)) {
            long imp = a.longValue("impressions");
            return imp == 0 ? null : (double) a.longValue("attributed_clicks") / imp;
        }
        ViewDefinition view = a.view();
        return view.metrics().get(view.metricIndex(name)).kind() == MetricKind.DISTINCT
                ? Hll.estimateCount(a.sketch(name))
                : a.longValue(name);
    }

    /** A sortable number for top-N; null ctr sorts last. */
    public static double sortValue(Aggregate a, String name) {
        Object v = value(a, name);
        return v == null ? Double.NEGATIVE_INFINITY : ((Number) v).doubleValue();
    }
}
