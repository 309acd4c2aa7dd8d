package dev.tandem.serving.druid;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.MetricDefinition;
import dev.tandem.core.view.MetricKind;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewKey;
import dev.tandem.serving.batch.BatchView;
import dev.tandem.serving.batch.ViewIndex;
import dev.tandem.serving.query.QueryException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One view of the run Druid holds, read per query with Druid SQL: the rows of the asked time range
 * and dimension filter (Druid prunes and filters), rebuilt into the very aggregates the embedded
 * backend holds — counts and sums as stored, sketches from their exported bytes — so the merge with
 * the speed layer, the roll-ups and the estimates downstream are the same code on the same values.
 */
public final class DruidBatchView implements BatchView {

    /** 1000-01-01 and 3000-01-01: every bucket Tandem can hold (event times are checked ≥ 2000). */
    static final long MIN_TIME = -30_610_224_000_000L;
    static final long MAX_TIME = 32_503_680_000_000L;

    private final DruidClient client;
    private final ViewDefinition view;
    private final String runId;
    private final int size;
    private final String selectPrefix;
    private final Runnable onStale;

    public DruidBatchView(DruidClient client, ViewDefinition view, String runId, int size) {
        this(client, view, runId, size, () -> { });
    }

    /** {@code onStale} runs when Druid answers with rows of another run (the source re-checks at once). */
    public DruidBatchView(DruidClient client, ViewDefinition view, String runId, int size, Runnable onStale) {
        this.client = client;
        this.onStale = onStale;
        this.view = view;
        this.runId = runId;
        this.size = size;
        StringBuilder sql = new StringBuilder("SELECT TIMESTAMP_TO_MILLIS(__time), ").append(DruidSchema.quote(DruidSchema.RUN_ID));
        for (String c : DruidSchema.valueColumns(view)) {
            sql.append(", ").append(DruidSchema.quote(c));
        }
        sql.append(" FROM ").append(DruidSchema.quote(DruidSchema.datasource(view)))
                .append(" WHERE ").append(DruidSchema.quote(DruidSchema.ROW_KIND)).append(" = '").append(DruidSchema.DATA)
                .append("' AND __time >= MILLIS_TO_TIMESTAMP(?) AND __time < MILLIS_TO_TIMESTAMP(?)");
        this.selectPrefix = sql.toString();
    }

    @Override
    public ViewDefinition view() {
        return view;
    }

    @Override
    public int size() {
        return size;
    }

    public String runId() {
        return runId;
    }

    @Override
    public ViewIndex slice(long from, long to, Map<String, Set<String>> filters) {
        StringBuilder sql = new StringBuilder(selectPrefix);
        List<DruidClient.Param> params = new ArrayList<>();
        // Druid's timestamps span about ±146,000,000 years: clamp open ends (all()) into that range
        params.add(DruidClient.Param.bigint(Math.max(from, MIN_TIME)));
        params.add(DruidClient.Param.bigint(Math.min(to, MAX_TIME)));
        for (String dim : view.dimensionNames()) {
            Set<String> accepted = filters.get(dim);
            if (accepted == null) {
                continue;
            }
            if (accepted.isEmpty()) {
                return ViewIndex.empty(view);
            }
            sql.append(" AND ").append(DruidSchema.quote(dim)).append(" IN (");
            int i = 0;
            for (String value : accepted) {
                sql.append(i++ == 0 ? "?" : ", ?");
                params.add(DruidClient.Param.varchar(value));
            }
            sql.append(')');
        }
        List<JsonNode> rows;
        try {
            rows = client.sql(sql.toString(), params);
        } catch (IOException e) {
            throw new QueryException(503, "Batch backend unavailable",
                    "Druid did not answer the batch part of this query: " + e.getMessage());
        }
        TreeMap<ViewKey, Aggregate> out = new TreeMap<>();
        List<MetricDefinition> metrics = view.metrics();
        int nDims = view.dimensions().size();
        for (JsonNode r : rows) {
            String rowRun = r.get(1).asText();
            if (!runId.equals(rowRun)) {
                onStale.run();
                throw new QueryException(503, "Batch version changing",
                        "Druid now holds run " + rowRun + " of " + view.name() + ", not the served run " + runId
                                + " (an export is under way); retry in a few seconds");
            }
            List<String> dims = new ArrayList<>(nDims);
            for (int d = 0; d < nDims; d++) {
                dims.add(r.get(2 + d).asText());
            }
            Aggregate a = view.zero();
            for (int m = 0; m < metrics.size(); m++) {
                JsonNode v = r.get(2 + nDims + m);
                MetricDefinition md = metrics.get(m);
                if (md.kind() == MetricKind.DISTINCT) {
                    a.setSketch(md.name(), Base64.getDecoder().decode(v.asText()));
                } else {
                    a.setLong(md.name(), v.asLong());
                }
            }
            out.merge(new ViewKey(dims, r.get(0).asLong()), a, Aggregate::merge);
        }
        return ViewIndex.of(view, out);
    }
}
