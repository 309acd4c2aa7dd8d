package dev.tandem.batch.bench;

import dev.tandem.core.event.EventType;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The batch computation of DESIGN §2 and §4 written as DuckDB SQL, for the benchmark only: the same
 * validation rules as core's {@code EventValidator}, dedup = first copy per event_id in log order
 * (ingest_time, kafka_partition, kafka_offset), the attribution join (click → the first impression
 * in log order with its impression_id whose event time lies in [impression, impression + 1 h]),
 * and the three views (campaign_hourly, region_revenue_hourly, search_terms_daily). Distinct
 * metrics are exact {@code count(DISTINCT)} here, HLL estimates in Tandem.
 *
 * <p>This is a second, hand-written copy of the views, which Tandem's engines must not have: it
 * exists only as the yardstick of the benchmark, and {@link SparkDuckDbBench} checks that it
 * computes what core's view definitions compute (equal counts and sums, distinct counts within
 * the sketch's error).
 */
public final class DuckDbViews {

    /** Result tables, in the batch-view layout's column names (bucket_start as epoch millis). */
    public static final List<String> VIEWS = List.of("campaign_hourly", "region_revenue_hourly", "search_terms_daily");

    private DuckDbViews() {
    }

    /**
     * Timed steps → milliseconds; result tables {@code v_<view>} are written to {@code out/<view>.parquet}
     * and, unless {@code state} is null, the incremental state to that directory ({@link #writeState}).
     */
    public static Map<String, Long> run(Connection c, List<String> files, Path out, Path state) throws SQLException {
        Map<String, Long> t = new LinkedHashMap<>();
        String fileList = files.stream().map(f -> "'" + f.replace("'", "''") + "'").collect(Collectors.joining(","));
        try (Statement s = c.createStatement()) {
            long t0 = System.nanoTime();
            s.execute("CREATE OR REPLACE TEMP TABLE valid AS SELECT * EXCLUDE (event_time), epoch_ms(event_time) AS et, "
                    + "(ingest_time // 3600000) * 3600000 AS tag FROM read_parquet([" + fileList + "]) WHERE "
                    + "event_type IN ('AD_IMPRESSION','AD_CLICK','ORDER_CREATED','SEARCH') "
                    + "AND coalesce(event_id,'') <> '' AND coalesce(user_id,'') <> '' "
                    + "AND CASE event_type "
                    + " WHEN 'AD_IMPRESSION' THEN coalesce(region,'') <> '' AND coalesce(campaign_id,'') <> '' "
                    + "   AND coalesce(ad_id,'') <> '' AND coalesce(impression_id,'') <> '' "
                    + " WHEN 'AD_CLICK' THEN coalesce(campaign_id,'') <> '' AND coalesce(ad_id,'') <> '' "
                    + "   AND coalesce(impression_id,'') <> '' "
                    + " WHEN 'ORDER_CREATED' THEN coalesce(region,'') <> '' AND coalesce(order_id,'') <> '' "
                    + "   AND total_minor IS NOT NULL "
                    + " ELSE query IS NOT NULL END "
                    + "AND (total_minor IS NULL OR total_minor >= 0) "
                    + "AND (query IS NULL OR length(query) <= 1024) "
                    + "AND epoch_ms(event_time) >= 946684800000 AND epoch_ms(event_time) <= ingest_time + 86400000");
            t.put("read_validate", ms(t0));

            t0 = System.nanoTime();
            s.execute("CREATE OR REPLACE TEMP TABLE d AS SELECT * FROM valid QUALIFY row_number() OVER "
                    + "(PARTITION BY event_id ORDER BY ingest_time, kafka_partition, kafka_offset) = 1");
            t.put("dedup", ms(t0));

            t0 = System.nanoTime();
            s.execute("CREATE OR REPLACE TEMP TABLE att AS "
                    + "SELECT c.event_id, any_value(c.et) AS c_time, "
                    + " arg_min(i.campaign_id, (i.ingest_time, i.kafka_partition, i.kafka_offset)) AS i_campaign "
                    + "FROM (SELECT event_id, impression_id, et FROM d WHERE event_type = 'AD_CLICK') c "
                    + "JOIN (SELECT impression_id, et, campaign_id, ingest_time, kafka_partition, kafka_offset "
                    + "      FROM d WHERE event_type = 'AD_IMPRESSION') i ON c.impression_id = i.impression_id "
                    + "WHERE c.et >= i.et AND c.et - i.et <= 3600000 GROUP BY c.event_id");
            t.put("attribution_join", ms(t0));

            t0 = System.nanoTime();
            s.execute("CREATE OR REPLACE TEMP TABLE v_campaign_hourly AS "
                    + "SELECT campaign_id, (et // 3600000) * 3600000 AS bucket_start, "
                    + " count(*) FILTER (WHERE k = 'I') AS impressions, count(*) FILTER (WHERE k = 'C') AS clicks, "
                    + " count(*) FILTER (WHERE k = 'A') AS attributed_clicks, "
                    + " count(DISTINCT u) FILTER (WHERE k = 'I') AS unique_users "
                    + "FROM (SELECT 'I' AS k, campaign_id, et, user_id AS u FROM d WHERE event_type = 'AD_IMPRESSION' "
                    + "      UNION ALL SELECT 'C', campaign_id, et, NULL FROM d WHERE event_type = 'AD_CLICK' "
                    + "      UNION ALL SELECT 'A', i_campaign, c_time, NULL FROM att) "
                    + "GROUP BY ALL");
            s.execute("CREATE OR REPLACE TEMP TABLE v_region_revenue_hourly AS "
                    + "SELECT region, currency, (et // 3600000) * 3600000 AS bucket_start, count(*) AS orders, "
                    + " sum(total_minor)::BIGINT AS revenue_minor, count(DISTINCT user_id) AS unique_buyers "
                    + "FROM d WHERE event_type = 'ORDER_CREATED' AND region IS NOT NULL AND currency IS NOT NULL "
                    + "GROUP BY ALL");
            s.execute("CREATE OR REPLACE TEMP TABLE v_search_terms_daily AS "
                    + "SELECT term, bucket_start, count(*) AS occurrences FROM ("
                    + " SELECT unnest(regexp_extract_all(lower(replace(query, '\u0130', 'i\u0307')), '[\\pL\\p{Nd}]+')) AS term, "
                    + "  (et // 86400000) * 86400000 AS bucket_start FROM d WHERE event_type = 'SEARCH') "
                    + "GROUP BY ALL");
            // Java's toLowerCase(Locale.ROOT) maps U+0130 (İ) to "i" + U+0307 (a mark, so a term break);
            // DuckDB's lower() maps it to "i": the replace makes them agree. (Greek final sigma would
            // still differ; the generated queries have none.)
            t.put("views", ms(t0));

            t0 = System.nanoTime();
            for (String v : VIEWS) {
                s.execute("COPY v_" + v + " TO '" + out.resolve(v + ".parquet") + "' (FORMAT parquet)");
            }
            t.put("write", ms(t0));

            if (state != null) {
                t0 = System.nanoTime();
                writeState(s, state);
                t.put("state", ms(t0));
            }
        }
        return t;
    }

    /**
     * What Tandem's full run keeps for the next incremental run ({@code RunState}: one row per
     * deduplicated event with the join's columns, and the attributed clicks' ids), written the same
     * way, so that both engines do the same work: {@code state/log.parquet},
     * {@code state/attributed_clicks.parquet}.
     */
    static void writeState(Statement s, Path state) throws SQLException {
        StringBuilder type = new StringBuilder("CASE event_type");
        for (EventType e : EventType.values()) {
            type.append(" WHEN '").append(e.name()).append("' THEN ").append(e.ordinal());
        }
        type.append(" END");
        String imp = "event_type = 'AD_IMPRESSION'";
        String joined = "event_type IN ('AD_IMPRESSION','AD_CLICK')";
        s.execute("COPY (SELECT event_id, (" + type + ")::INTEGER AS type_code, "
                + "CASE WHEN " + joined + " THEN impression_id END AS impression_id, "
                + "CASE WHEN " + joined + " THEN et END AS event_time, "
                + "CASE WHEN " + joined + " THEN tag END AS tag, "
                + "CASE WHEN " + imp + " THEN campaign_id END AS campaign_id, "
                + "CASE WHEN " + imp + " THEN ingest_time END AS ingest_time, "
                + "CASE WHEN " + imp + " THEN kafka_partition END AS kafka_partition, "
                + "CASE WHEN " + imp + " THEN kafka_offset END AS kafka_offset, "
                + "CASE WHEN event_type = 'AD_CLICK' THEN user_id END AS user_id FROM d) "
                + "TO '" + state.resolve("log.parquet") + "' (FORMAT parquet)");
        s.execute("COPY (SELECT event_id AS c_id FROM att) TO '" + state.resolve("attributed_clicks.parquet")
                + "' (FORMAT parquet)");
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
