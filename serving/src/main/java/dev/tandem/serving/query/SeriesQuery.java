package dev.tandem.serving.query;

import dev.tandem.core.view.Granularity;
import dev.tandem.core.view.ViewDefinition;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A validated series request.
 *
 * @param from     inclusive, on a bucket start of {@code granularity}
 * @param to       exclusive, on a bucket start of {@code granularity}
 * @param filters  dimension name → accepted values (absent dimension: all values)
 * @param groupBy  dimensions kept in the answer (the others are summed over)
 * @param metrics  metric names in answer order
 */
public record SeriesQuery(ViewDefinition view, long from, long to, Granularity granularity,
                          Map<String, Set<String>> filters, List<String> groupBy, List<String> metrics) {

    public SeriesQuery {
        filters = Map.copyOf(filters);
        groupBy = List.copyOf(groupBy);
        metrics = List.copyOf(metrics);
    }
}
