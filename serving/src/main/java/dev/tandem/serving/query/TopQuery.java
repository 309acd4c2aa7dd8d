package dev.tandem.serving.query;

import dev.tandem.core.view.ViewDefinition;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A validated top-N request: the view's keys summed over [from, to), ranked by one metric
 * (descending, ties by dimension values), the first {@code limit} of them.
 */
public record TopQuery(ViewDefinition view, long from, long to, String by, int limit,
                       Map<String, Set<String>> filters, List<String> metrics) {

    public TopQuery {
        filters = Map.copyOf(filters);
        metrics = List.copyOf(metrics);
    }
}
