package dev.tandem.batch.spark;

import dev.tandem.batch.testkit.LocalSpark;
import dev.tandem.core.event.EventType;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.validation.EventValidator;
import dev.tandem.core.validation.Rejection;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spark's validation ({@link SparkViewPipeline#validate}: core's {@link EventValidator} through a
 * UDF over the master row's columns) against {@link EventValidator#validate} on the same rows read
 * the way the reference reads them ({@link MasterRows#toIngestedEvent}): every event type (and
 * unknown and missing types) with every column set to each of its edge values alone, and every pair
 * of columns set together — so a column passed to the wrong argument, a time or null converted
 * differently, or a reason lost between the UDF and the cached rows shows as a differing row.
 */
@ExtendWith(LocalSpark.class)
class SparkValidationTest {

    private static final long INGEST = Instant.parse("2026-11-20T00:00:00Z").toEpochMilli();
    private static final String[] COLUMNS = {"event_id", "event_time", "user_id", "region", "campaign_id", "ad_id",
            "impression_id", "order_id", "total_minor", "query", "currency"};

    @Test
    void rejectReasonIsCoresOnEveryEdgeAndPairOfEdges(SparkSession spark) {
        Map<String, Object[]> edges = edges();
        List<String> types = new ArrayList<>(Arrays.stream(EventType.values()).map(EventType::name).toList());
        types.addAll(Arrays.asList("BOGUS", "ad_click", "", null));
        List<Row> rows = new ArrayList<>();
        for (String type : types) {
            rows.add(row(rows.size(), type, Map.of()));
            for (int i = 0; i < COLUMNS.length; i++) {
                for (Object a : edges.get(COLUMNS[i])) {
                    rows.add(row(rows.size(), type, Map.of(COLUMNS[i], a)));
                    for (int j = i + 1; j < COLUMNS.length; j++) {
                        for (Object b : edges.get(COLUMNS[j])) {
                            rows.add(row(rows.size(), type, Map.of(COLUMNS[i], a, COLUMNS[j], b)));
                        }
                    }
                }
            }
        }
        Map<Long, String> expected = new HashMap<>();
        Map<String, Integer> reasons = new HashMap<>();
        for (Row r : rows) {
            IngestedEvent ie = MasterRows.toIngestedEvent(r);
            Rejection rej = EventValidator.validate(ie.event(), ie.ingestTime());
            String code = rej == null ? null : rej.code();
            expected.put(ie.offset(), code);
            reasons.merge(String.valueOf(code), 1, Integer::sum);
        }
        // every reason (and valid) occurs, so the comparison covers each branch
        assertThat(reasons).containsKeys("null", "unknown_type", "missing_field", "negative_total", "query_too_long",
                "event_time_before_2000", "event_time_after_ingest");

        SparkViewPipeline pipeline = new SparkViewPipeline(spark, 2);
        List<Row> out = pipeline.validate(spark.createDataFrame(rows, MasterRows.MASTER))
                .select(col(MasterRows.OFFSET), col(MasterRows.REJECT), col(MasterRows.TYPE)).collectAsList();
        assertThat(out).hasSize(rows.size());
        Map<Long, String> actual = new HashMap<>();
        Map<Long, Integer> actualType = new HashMap<>();
        for (Row r : out) {
            actual.put(r.getLong(0), r.isNullAt(1) ? null : r.getString(1));
            actualType.put(r.getLong(0), r.isNullAt(2) ? null : r.getInt(2));
        }
        List<String> differ = new ArrayList<>();
        for (Row r : rows) {
            long offset = r.getLong(14);
            if (!Objects.equals(expected.get(offset), actual.get(offset))) {
                differ.add(r + ": core " + expected.get(offset) + ", spark " + actual.get(offset));
            }
            // the type code: core's ordinal of the name, null for a name core does not know
            EventType type = EventType.ofNameOrNull(r.getString(1));
            Integer expectedType = type == null ? null : type.ordinal();
            if (!Objects.equals(expectedType, actualType.get(offset))) {
                differ.add(r + ": type code " + actualType.get(offset) + ", core's ordinal " + expectedType);
            }
        }
        assertThat(differ).as("rows where Spark's reason or type code differs from core's").isEmpty();
    }

    /** Each column's edge values (NULL stands for null). */
    private static Map<String, Object[]> edges() {
        String longQuery = "\uD83D\uDE00".repeat(EventValidator.MAX_QUERY_CHARS); // code points, not chars
        Map<String, Object[]> e = new HashMap<>();
        for (String c : COLUMNS) {
            e.put(c, new Object[]{NULL, "", "x"});
        }
        e.put("total_minor", new Object[]{NULL, -1L, 0L, 7L});
        e.put("query", new Object[]{NULL, "", "q", longQuery, longQuery + "a", "a".repeat(EventValidator.MAX_QUERY_CHARS + 1)});
        e.put("event_time", new Object[]{NULL, EventValidator.EARLIEST_EVENT_TIME - 1, EventValidator.EARLIEST_EVENT_TIME,
                INGEST + EventValidator.MAX_AHEAD_OF_INGEST_MS, INGEST + EventValidator.MAX_AHEAD_OF_INGEST_MS + 1});
        return e;
    }

    private static final Object NULL = new Object();

    /** A master row, valid for every known type unless {@code set} changes it; the offset is its id. */
    private static Row row(long id, String type, Map<String, Object> set) {
        Object[] v = {"e" + id, type, INGEST - 1000, "u", "r", "c", "a", "i", "o", 5L, "q", "EUR",
                INGEST, 0, id};
        String[] names = {"event_id", "event_type", "event_time", "user_id", "region", "campaign_id", "ad_id",
                "impression_id", "order_id", "total_minor", "query", "currency", "ingest_time", "kafka_partition",
                "kafka_offset"};
        for (int i = 0; i < names.length; i++) {
            if (set.containsKey(names[i])) {
                Object x = set.get(names[i]);
                v[i] = x == NULL ? null : x;
            }
        }
        if (v[2] != null) {
            v[2] = new Timestamp((Long) v[2]);
        }
        return new GenericRowWithSchema(v, MasterRows.MASTER);
    }
}
