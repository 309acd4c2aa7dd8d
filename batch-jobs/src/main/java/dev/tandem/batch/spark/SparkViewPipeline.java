package dev.tandem.batch.spark;

import dev.tandem.core.event.Event;
import dev.tandem.core.event.EventType;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.validation.EventValidator;
import dev.tandem.core.validation.RejectReason;
import dev.tandem.core.validation.Rejection;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.Facts;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewKey;
import dev.tandem.core.view.Views;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FilterFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF13;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

import static dev.tandem.batch.spark.MasterRows.EVENT_ID;
import static dev.tandem.batch.spark.MasterRows.EVENT_TIME;
import static dev.tandem.batch.spark.MasterRows.EVENT_TYPE;
import static dev.tandem.batch.spark.MasterRows.INGEST_TIME;
import static dev.tandem.batch.spark.MasterRows.OFFSET;
import static dev.tandem.batch.spark.MasterRows.PARTITION;
import static dev.tandem.batch.spark.MasterRows.REJECT;
import static dev.tandem.batch.spark.MasterRows.TAG;
import static dev.tandem.batch.spark.MasterRows.TYPE;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.shiftleft;
import static org.apache.spark.sql.functions.xxhash64;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.call_udf;
import static org.apache.spark.sql.functions.unix_millis;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.shiftright;

/**
 * The batch computation on Spark, stage by stage, with no storage in it: master rows in, view rows
 * out. Every rule comes from core: {@link EventValidator} validates, dedup keeps the first copy in
 * log order, {@link Facts} decides the attribution window and makes the facts, and the views of
 * {@link Views#ALL} are aggregated by {@link SparkViewPlan}, compiled from their definitions; a
 * previous version and a delta merge through {@link Aggregate#merge} — no view is written here a
 * second time.
 *
 * <p><b>Deltas.</b> Every fact carries its ingest tag, so the facts of a batch with cutoff H split
 * exactly by tag. Given {@code fromTag} = the previous cutoff, only the facts whose tag is at least
 * {@code fromTag} are emitted: exactly the facts a full run has and the previous version lacks, so
 * previous ⊕ delta = full (DESIGN invariant 8). The incremental job feeds these stages the new
 * hours plus the previous run's {@link RunState} (old event ids, impressions, open clicks) instead
 * of all history.
 */
public final class SparkViewPipeline {

    private final SparkSession spark;
    private final int partitions;

    public SparkViewPipeline(SparkSession spark, int partitions) {
        this.spark = spark;
        this.partitions = partitions;
    }

    /**
     * Master rows → log rows ({@code event_time} as epoch millis, the ingest {@link MasterRows#TAG tag}
     * from core's {@link IngestTags#tagOf}, the {@link MasterRows#TYPE type code}) with their reject
     * reason code (null when valid), from core's {@link EventValidator} through a UDF over the
     * event's columns. The other columns
     * stay in Spark's internal format (no conversion of whole rows to Java objects and back). The
     * UDF, having parsed the type name anyway, returns the type code with the reason ({@link #check}),
     * so no string compares derive it again. The jobs cache these rows once, so that no later pass
     * derives a column again.
     */
    public Dataset<Row> validate(Dataset<Row> master) {
        spark.udf().register("tandem_check", (UDF13<String, String, Long, String, String, String, String, String, String,
                Long, String, String, Long, Integer>) (id, type, time, user, region, campaign, ad, impression, order,
                                                       total, query, currency, ingest) -> {
            EventType t = EventType.ofNameOrNull(type);
            Event e = new Event(id, t, time == null ? Long.MIN_VALUE : time, user, region, campaign, ad, impression,
                    order, total, query, currency);
            return check(t, EventValidator.validate(e, ingest));
        }, DataTypes.IntegerType);
        spark.udf().register("tandem_tag", (UDF1<Long, Long>) IngestTags::tagOf, DataTypes.LongType);
        Column[] reasons = Arrays.stream(RejectReason.values()).map(r -> lit(r.code())).toArray(Column[]::new);
        Column checked = col("_check");
        Column reason = shiftright(checked, 8);
        Column type = checked.bitwiseAND(0xff);
        return master.withColumn(EVENT_TIME, unix_millis(col(EVENT_TIME)))
                .withColumn(TAG, call_udf("tandem_tag", col(INGEST_TIME)))
                .withColumn("_check", call_udf("tandem_check", col(EVENT_ID), col(EVENT_TYPE), col(EVENT_TIME),
                        col("user_id"), col("region"), col("campaign_id"), col("ad_id"), col("impression_id"),
                        col("order_id"), col("total_minor"), col("query"), col("currency"), col(INGEST_TIME)))
                .withColumn(TYPE, when(type.gt(0), type.minus(1)))
                .withColumn(REJECT, when(reason.gt(0), element_at(array(reasons), reason)))
                .drop("_check");
    }

    /**
     * A type and a validation outcome in one int: the type's ordinal + 1 (0 for a type core does not
     * know) in the low byte, the reject reason's ordinal + 1 (0 when valid) above it.
     */
    static int check(EventType type, Rejection rejection) {
        return (type == null ? 0 : type.ordinal() + 1) | (rejection == null ? 0 : rejection.reason().ordinal() + 1) << 8;
    }

    /** Rows of one event type (by {@link MasterRows#TYPE}). */
    static Column isType(EventType t) {
        return col(TYPE).equalTo(t.ordinal());
    }

    /**
     * The log positions ({@code kafka_partition}, {@code kafka_offset}) of the valid log rows that
     * are <em>not</em> the first copy of their event_id in log order (ingest time, partition,
     * offset): the rows dedup drops. Duplicates are rare (producer retries), so the rows are never
     * all shuffled by id: a hash aggregate over a 64-bit hash of the ids alone (a shuffle of
     * fixed-width longs) finds the hashes seen more than once; only the rows with such a hash are
     * ranked by log position within their real event_id, and every row after the first is a later
     * copy. A hash collision only adds a candidate: grouping and ranking use the event_id itself.
     * Persisted; unpersist it when done.
     */
    public static Dataset<Row> laterCopies(Dataset<Row> valid) {
        Column hash = xxhash64(col(EVENT_ID));
        Dataset<Row> repeated = valid.select(hash.as("_h")).repartition(col("_h"))
                .mapPartitions((MapPartitionsFunction<Row, Long>) SparkViewPipeline::repeatedValues, Encoders.LONG())
                .toDF("_h").persist(StorageLevel.MEMORY_AND_DISK());
        try {
            long n = repeated.count();
            Dataset<Row> hashes = n <= BROADCAST_IDS ? broadcast(repeated) : repeated;
            Dataset<Row> later = valid.select(col(EVENT_ID), col(INGEST_TIME), col(PARTITION), col(OFFSET))
                    .withColumn("_h", hash).join(hashes, "_h", "left_semi")
                    .withColumn("_rank", row_number().over(Window.partitionBy(col(EVENT_ID))
                            .orderBy(col(INGEST_TIME), col(PARTITION), col(OFFSET))))
                    .filter(col("_rank").gt(1))
                    .select(PARTITION, OFFSET)
                    .persist(StorageLevel.MEMORY_AND_DISK());
            later.count();
            return later;
        } finally {
            repeated.unpersist();
        }
    }

    static final long BROADCAST_IDS = 2_000_000;

    /**
     * The values that occur more than once among a partition's longs, each once. A sort of a
     * primitive array: with nearly every value distinct, a hash aggregate would insert every one
     * of them into a map only to find its count is 1.
     */
    static Iterator<Long> repeatedValues(Iterator<Row> rows) {
        long[] values = new long[1 << 16];
        int n = 0;
        while (rows.hasNext()) {
            if (n == values.length) {
                values = Arrays.copyOf(values, n * 2);
            }
            values[n++] = rows.next().getLong(0);
        }
        Arrays.sort(values, 0, n);
        List<Long> repeated = new ArrayList<>();
        for (int i = 1; i < n; i++) {
            if (values[i] == values[i - 1] && (repeated.isEmpty() || repeated.get(repeated.size() - 1) != values[i])) {
                repeated.add(values[i]);
            }
        }
        return repeated.iterator();
    }

    /**
     * The rows except those at the given log positions ({@code kafka_partition}, {@code kafka_offset}:
     * the {@link #laterCopies later copies}), {@code count} of them; broadcast when at
     * most {@value #BROADCAST_IDS}.
     */
    public static Dataset<Row> withoutPositions(Dataset<Row> rows, Dataset<Row> positions, long count,
                                                boolean positionsPack) {
        if (count == 0) {
            return rows;
        }
        if (!positionsPack) {
            Dataset<Row> drop = count <= BROADCAST_IDS ? broadcast(positions) : positions;
            return rows.join(drop, rows.col(PARTITION).equalTo(drop.col(PARTITION))
                    .and(rows.col(OFFSET).equalTo(drop.col(OFFSET))), "left_anti");
        }
        Dataset<Row> drop = positions.select(position(positions).as("_pos"));
        drop = count <= BROADCAST_IDS ? broadcast(drop) : drop;
        return rows.join(drop, position(rows).equalTo(drop.col("_pos")), "left_anti");
    }

    /**
     * A log position as one long, {@code partition << 40 | offset}, one-to-one when every
     * partition is in [0, 2^23) and every offset in [0, 2^40) ({@link #positionsPack}): a single
     * long join key lets Spark probe a compact long hash map, several times cheaper per row than a
     * two-column key, and every deduplicated row is probed.
     */
    static Column position(Dataset<Row> rows) {
        return shiftleft(rows.col(PARTITION).cast(DataTypes.LongType), 40).bitwiseOR(rows.col(OFFSET));
    }

    /** Whether positions within these bounds pack one-to-one into {@link #position}. */
    public static boolean positionsPack(long minPartition, long maxPartition, long minOffset, long maxOffset) {
        return minPartition >= 0 && maxPartition < (1L << 23) && minOffset >= 0 && maxOffset < (1L << 40);
    }

    /** Deduplicated clicks in the join's layout: c_id, impression_id, c_time, c_tag, c_user. */
    public static Dataset<Row> clicks(Dataset<Row> deduped) {
        return deduped.filter(isType(EventType.AD_CLICK))
                .select(col(EVENT_ID).as("c_id"), col("impression_id"), col(EVENT_TIME).as("c_time"),
                        col(TAG).as("c_tag"), col("user_id").as("c_user"));
    }

    /** Deduplicated impressions in the join's layout: impression_id, time, tag, campaign, log position. */
    public static Dataset<Row> impressions(Dataset<Row> deduped) {
        return deduped.filter(isType(EventType.AD_IMPRESSION))
                .select(col("impression_id"), col(EVENT_TIME).as("i_time"), col(TAG).as("i_tag"),
                        col("campaign_id").as("i_campaign"), col(INGEST_TIME).as("i_ingest"),
                        col(PARTITION).as("i_partition"), col(OFFSET).as("i_offset"));
    }

    /**
     * The attribution join (DESIGN §4): each deduplicated click with the first impression in log
     * order of the same impression_id whose window holds the click ({@link Facts#inAttributionWindow}).
     * Only attributed clicks with tag ≥ {@code fromTag} are returned; the candidates are the clicks
     * with such a tag plus the older clicks whose impression_id has a newer impression. With
     * {@code broadcastClicks} the candidates are broadcast (see {@link #BROADCAST_CLICKS}).
     */
    public static Dataset<Row> attributedClicks(Dataset<Row> deduped, long fromTag, boolean broadcastClicks) {
        Dataset<Row> clicks = clicks(deduped);
        Dataset<Row> imps = impressions(deduped);
        Dataset<Row> candidates = clicks;
        if (fromTag != Long.MIN_VALUE) {
            Dataset<Row> newImpressionIds = imps.filter(col("i_tag").geq(fromTag)).select("impression_id");
            candidates = clicks.filter(col("c_tag").geq(fromTag)).unionByName(
                    clicks.filter(col("c_tag").lt(fromTag)).join(newImpressionIds, "impression_id", "left_semi"));
        }
        return attribute(broadcastClicks ? broadcast(candidates) : candidates, imps, fromTag);
    }

    /**
     * Up to this many clicks are broadcast to the join (about 100 bytes each), so that the
     * impressions — twenty times as many — are joined where they are instead of shuffled and sorted.
     */
    public static final long BROADCAST_CLICKS = 2_000_000;

    /**
     * Candidate clicks ⋈ impressions: per click the first impression in log order whose window holds
     * it; rows c_id, c_time, c_tag, c_user, i_campaign, i_tag, kept when either tag is ≥ {@code fromTag}.
     */
    public static Dataset<Row> attribute(Dataset<Row> candidates, Dataset<Row> imps, long fromTag) {
        Dataset<Row> inWindow = candidates.join(imps, "impression_id")
                .filter((FilterFunction<Row>) r -> Facts.inAttributionWindow(
                        r.<Long>getAs("i_time"), r.<Long>getAs("c_time")));
        return inWindow
                .groupBy(col("c_id"), col("c_time"), col("c_tag"), col("c_user"))
                .agg(min(struct(col("i_ingest"), col("i_partition"), col("i_offset"), col("i_campaign"),
                        col("i_tag"))).as("imp"))
                .select(col("c_id"), col("c_time"), col("c_tag"), col("c_user"),
                        col("imp.i_campaign").as("i_campaign"), col("imp.i_tag").as("i_tag"))
                .filter(col("c_tag").geq(fromTag).or(col("i_tag").geq(fromTag)));
    }

    /** previous ⊕ delta, key by key, through core's monoid. */
    public JavaPairRDD<ViewRowKey, AggregateBox> mergeWith(JavaPairRDD<ViewRowKey, AggregateBox> previous,
                                                          JavaPairRDD<ViewRowKey, AggregateBox> delta) {
        return previous.union(delta).reduceByKey(AggregateBox::merge, partitions);
    }

    /** Stored rows of one view as keyed aggregates. */
    public static JavaPairRDD<ViewRowKey, AggregateBox> storedRows(Dataset<Row> rows, ViewDefinition view) {
        String name = view.name();
        return rows.javaRDD().mapToPair(r -> {
            ViewDefinition v = Views.byName(name);
            Tuple2<ViewKey, Aggregate> t = BatchViewRows.fromRow(v, r);
            return new Tuple2<>(new ViewRowKey(name, t._1()), new AggregateBox(t._2()));
        });
    }

    /** One view's rows in the batch-view layout, ready to write. */
    public Dataset<Row> viewRows(JavaPairRDD<ViewRowKey, AggregateBox> rows, ViewDefinition view) {
        String name = view.name();
        JavaRDD<Row> out = rows.filter(t -> t._1().view().equals(name))
                .map(t -> BatchViewRows.toRow(Views.byName(name), t._1().key(), t._2().aggregate()));
        return spark.createDataFrame(out, BatchViewRows.schema(view));
    }
}
