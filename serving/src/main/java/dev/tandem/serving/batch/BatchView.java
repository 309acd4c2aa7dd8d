package dev.tandem.serving.batch;

import dev.tandem.core.view.ViewDefinition;

import java.util.Map;
import java.util.Set;

/**
 * One view of the served batch version, wherever its rows live: in this process
 * ({@link ViewIndex}, the embedded backend) or in a store queried per request (the Druid backend,
 * {@code dev.tandem.serving.druid.DruidBatchView}). Queries only ask for the stored rows of a time
 * range and dimension filter; the merge with the speed layer and every roll-up stay in
 * {@code QueryService}, so every backend answers exactly alike.
 */
public interface BatchView {

    ViewDefinition view();

    /** Rows held (for /api/v1/views and /api/v1/status). */
    int size();

    /**
     * The stored rows with {@code from <= bucket_start < to} whose dimensions pass {@code filters}
     * (dimension name → accepted values; absent = any), as an index. It may hold more rows than asked
     * (the embedded index returns itself): callers still scan the range and apply the filters.
     *
     * @throws dev.tandem.serving.query.QueryException when a remote store cannot answer (503)
     */
    ViewIndex slice(long from, long to, Map<String, Set<String>> filters);

    /** Every stored row (exports, tests); for a remote store, one query over all time. */
    default ViewIndex all() {
        return slice(Long.MIN_VALUE, Long.MAX_VALUE, Map.of());
    }
}
