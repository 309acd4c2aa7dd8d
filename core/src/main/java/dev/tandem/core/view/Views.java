package dev.tandem.core.view;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static dev.tandem.core.view.MetricDefinition.count;
import static dev.tandem.core.view.MetricDefinition.distinct;
import static dev.tandem.core.view.MetricDefinition.sum;

/** The views of DESIGN §4, defined once. Derived metrics (ctr) are computed at query time. */
public final class Views {

    public static final ViewDefinition CAMPAIGN_HOURLY = new ViewDefinition(
            "campaign_hourly",
            List.of(Dimension.of(FactField.CAMPAIGN_ID)),
            Granularity.HOUR,
            List.of(
                    count("impressions", FactKind.IMPRESSION),
                    count("clicks", FactKind.CLICK),
                    count("attributed_clicks", FactKind.ATTRIBUTED_CLICK),
                    distinct("unique_users", FactKind.IMPRESSION, FactField.USER_ID)));

    public static final ViewDefinition REGION_REVENUE_HOURLY = new ViewDefinition(
            "region_revenue_hourly",
            List.of(Dimension.of(FactField.REGION), Dimension.of(FactField.CURRENCY)),
            Granularity.HOUR,
            List.of(
                    count("orders", FactKind.ORDER),
                    sum("revenue_minor", FactKind.ORDER, FactField.TOTAL_MINOR),
                    distinct("unique_buyers", FactKind.ORDER, FactField.USER_ID)));

    public static final ViewDefinition SEARCH_TERMS_DAILY = new ViewDefinition(
            "search_terms_daily",
            List.of(Dimension.termsOf("term", FactField.QUERY)),
            Granularity.DAY,
            List.of(count("occurrences", FactKind.SEARCH)));

    public static final List<ViewDefinition> ALL =
            List.of(CAMPAIGN_HOURLY, REGION_REVENUE_HOURLY, SEARCH_TERMS_DAILY);

    private static final Map<String, ViewDefinition> BY_NAME =
            ALL.stream().collect(Collectors.toUnmodifiableMap(ViewDefinition::name, Function.identity()));

    private Views() {
    }

    public static ViewDefinition byName(String name) {
        ViewDefinition v = BY_NAME.get(name);
        if (v == null) {
            throw new IllegalArgumentException("unknown view '" + name + "'; known: " + BY_NAME.keySet());
        }
        return v;
    }

    public static boolean exists(String name) {
        return BY_NAME.containsKey(name);
    }
}
