package dev.tandem.serving.druid;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.core.view.Dimension;
import dev.tandem.core.view.MetricDefinition;
import dev.tandem.core.view.MetricKind;
import dev.tandem.core.view.ViewDefinition;

import java.util.ArrayList;
import java.util.List;

/**
 * How Tandem's batch views are laid out in Druid, derived from the view definitions.
 *
 * <ul>
 *   <li>One datasource per view, {@code tandem_<view>}: {@code __time} = bucket start, the
 *   dimensions as strings, counts and sums as long columns, each HLL sketch as the base64 of the
 *   very bytes in the Parquet view (a string column), and {@code tandem_run_id}. No roll-up: one
 *   Druid row per batch row. Besides the data rows ({@code tandem_row = 'data'}) each export writes
 *   one marker row ({@code tandem_row = 'run'}, at 1970-01-01) so that even an empty view names the
 *   run it belongs to.</li>
 *   <li>{@code tandem_batch_runs}: one row, the exported run's id and manifest (cutoff, row counts),
 *   written after the views: it is Druid's {@code CURRENT}.</li>
 * </ul>
 * Every export replaces a datasource whole ({@code segmentGranularity = all}, one time chunk
 * covering all time, {@code appendToExisting = false}): the new segments get a newer version (the
 * task's lock time) and overshadow every segment of the previous export.
 */
public final class DruidSchema {

    public static final String RUNS = "tandem_batch_runs";
    public static final String RUN_ID = "tandem_run_id";
    public static final String ROW_KIND = "tandem_row";
    public static final String DATA = "data";
    public static final String MARKER = "run";
    public static final String MANIFEST = "manifest";
    public static final String EXPORTED_AT = "exported_at";
    /** The input column holding the bucket start (epoch millis) in the exported JSON lines. */
    public static final String TIME = "bucket_start";

    private DruidSchema() {
    }

    public static String datasource(ViewDefinition view) {
        return "tandem_" + view.name();
    }

    /** Columns after {@code __time} in the order {@link DruidBatchView} selects them. */
    public static List<String> valueColumns(ViewDefinition view) {
        List<String> cols = new ArrayList<>(view.dimensionNames());
        view.metrics().forEach(m -> cols.add(m.column()));
        return cols;
    }

    /** The dimensionsSpec.dimensions of a view's datasource. */
    public static ArrayNode dimensions(ViewDefinition view) {
        ArrayNode a = DruidClient.JSON.createArrayNode();
        for (Dimension d : view.dimensions()) {
            a.addObject().put("type", "string").put("name", d.name());
        }
        for (MetricDefinition m : view.metrics()) {
            ObjectNode n = a.addObject();
            if (m.kind() == MetricKind.DISTINCT) {
                // opaque bytes: no bitmap index, never filtered on
                n.put("type", "string").put("name", m.column()).put("createBitmapIndex", false);
            } else {
                n.put("type", "long").put("name", m.column());
            }
        }
        a.addObject().put("type", "string").put("name", RUN_ID);
        a.addObject().put("type", "string").put("name", ROW_KIND);
        return a;
    }

    public static ArrayNode runsDimensions() {
        ArrayNode a = DruidClient.JSON.createArrayNode();
        a.addObject().put("type", "string").put("name", RUN_ID);
        a.addObject().put("type", "string").put("name", MANIFEST).put("createBitmapIndex", false);
        a.addObject().put("type", "string").put("name", EXPORTED_AT);
        return a;
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
