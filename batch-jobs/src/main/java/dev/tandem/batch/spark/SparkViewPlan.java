package dev.tandem.batch.spark;

import dev.tandem.core.event.Event;
import dev.tandem.core.event.EventType;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.view.BatchViewSchema;
import dev.tandem.core.view.Dimension;
import dev.tandem.core.view.Fact;
import dev.tandem.core.view.FactField;
import dev.tandem.core.view.FactKind;
import dev.tandem.core.view.Hll;
import dev.tandem.core.view.Facts;
import dev.tandem.core.view.MetricDefinition;
import dev.tandem.core.view.MetricKind;
import dev.tandem.core.view.Terms;
import dev.tandem.core.view.ViewDefinition;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import static dev.tandem.batch.spark.MasterRows.EVENT_TIME;
import static dev.tandem.batch.spark.MasterRows.TYPE;
import static dev.tandem.batch.spark.MasterRows.TAG;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.timestamp_millis;
import static org.apache.spark.sql.functions.hll_sketch_agg;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

/**
 * Core's view definitions compiled to Spark expressions, so that the views run as one generated,
 * whole-stage-compiled aggregation instead of a Java call per fact — and still from the one
 * definition of each view:
 * <ul>
 *   <li>the dimensions, granularity and metrics come from each {@link ViewDefinition}: a key per
 *       value of each dimension (the tokens of {@link Terms#tokenize} for a terms dimension, none
 *       for a null value), the bucket from the granularity, a count or sum of the metric's fact
 *       kind, and a sketch (core's {@link Hll}, {@link #sketchOf}) of a distinct field;</li>
 *   <li>which event column becomes which fact field is learnt from core's {@link Facts#of} and
 *       {@link Facts#attributedClick} themselves ({@link #derive}): each is called twice per event
 *       type with two sets of marker values, and a field must come out as one input column or one
 *       constant. Anything else (a transformed value) fails the plan loudly rather than silently
 *       differing from core.</li>
 * </ul>
 * The reference evaluator and the other engines run the same definitions through
 * {@link ViewDefinition#keys} and {@code Aggregate#add}; the Spark tests compare this plan with them.
 *
 * <p>Layout: facts are rows of {@link #KIND} (core's {@link FactKind} ordinal) plus {@code event_time} plus one column per
 * {@link FactField} (named {@link FactField#column()}). {@link #aggregate} gives one row per
 * (view, key) for every view at once — view index {@code v}, dims {@code d0..}, {@code bucket},
 * longs {@code l0..} (counts and sums in metric order), sketches {@code h0..} — and
 * {@link #viewRows} cuts out one view in {@link BatchViewRows}' layout.
 */
public final class SparkViewPlan {

    public static final String KIND = "fact_kind";
    static final String VIEW = "v";
    static final String BUCKET = "bucket";

    private static final FactField[] FIELDS = FactField.values();

    private SparkViewPlan() {
    }

    /** Facts of the deduplicated events whose tag is at least {@code fromTag}. */
    public static Dataset<Row> eventFacts(Dataset<Row> deduped, long fromTag) {
        List<Column> cols = new ArrayList<>();
        // per event type, the fact Facts.of makes of it, for marker events A and B
        List<Derived> probes = new ArrayList<>();
        for (EventType t : EventType.values()) {
            probes.add(new Derived(t, m -> Facts.of(new IngestedEvent(new Event(m.s("event_id"), t, m.l(EVENT_TIME),
                    m.s("user_id"), m.s("region"), m.s("campaign_id"), m.s("ad_id"), m.s("impression_id"),
                    m.s("order_id"), m.l("total_minor"), m.s("query"), m.s("currency")), m.l("ingest_time"), 0, 0L))));
        }
        cols.add(byEventType(probes, p -> lit(p.kind().ordinal())).as(KIND));
        cols.add(byEventType(probes, p -> p.timeColumn()).as(EVENT_TIME));
        for (FactField f : FIELDS) {
            cols.add(byEventType(probes, p -> p.fieldColumn(f)).as(f.column()));
        }
        return deduped.filter(col(TAG).geq(fromTag)).select(cols.toArray(Column[]::new));
    }

    /** Facts of the attributed clicks (rows c_time, c_tag, c_user, i_campaign, i_tag of the join). */
    public static Dataset<Row> attributedFacts(Dataset<Row> attributed) {
        Derived p = new Derived(null, m -> Facts.attributedClick(m.l("c_time"), m.l("c_tag"), m.s("c_user"),
                m.s("i_campaign"), m.l("i_tag")));
        List<Column> cols = new ArrayList<>();
        cols.add(lit(p.kind().ordinal()).as(KIND));
        cols.add(p.timeColumn().as(EVENT_TIME));
        for (FactField f : FIELDS) {
            cols.add(p.fieldColumn(f).as(f.column()));
        }
        return attributed.select(cols.toArray(Column[]::new));
    }

    private static Column byEventType(List<Derived> probes, Function<Derived, Column> value) {
        Column c = null;
        for (Derived p : probes) {
            Column when = col(TYPE).equalTo(p.type().ordinal());
            c = c == null ? when(when, value.apply(p)) : c.when(when, value.apply(p));
        }
        return c;
    }

    /**
     * Every view's rows from the facts, in one aggregation: each fact becomes one row per view that
     * reads its kind and per key of that view, then rows are summed by (view, dims, bucket).
     */
    public static Dataset<Row> aggregate(Dataset<Row> facts, List<ViewDefinition> views) {
        int dims = views.stream().mapToInt(v -> v.dimensions().size()).max().orElse(0);
        int longs = views.stream().mapToInt(v -> longMetrics(v).size()).max().orElse(0);
        int sketches = views.stream().mapToInt(v -> sketchMetrics(v).size()).max().orElse(0);
        UserDefinedFunction terms = udf((org.apache.spark.sql.api.java.UDF1<String, List<String>>)
                q -> q == null ? null : Terms.tokenize(q), DataTypes.createArrayType(DataTypes.StringType));

        Column[] perView = new Column[views.size()];
        for (int vi = 0; vi < views.size(); vi++) {
            ViewDefinition v = views.get(vi);
            List<Column> fields = new ArrayList<>();
            fields.add(lit(vi).as(VIEW));
            for (int j = 0; j < dims; j++) {
                Column values;
                if (j < v.dimensions().size()) {
                    Dimension d = v.dimensions().get(j);
                    Column value = stringValue(d.field());
                    // Dimension#values: no key for a null value, the tokens for a terms dimension
                    values = d.terms() ? terms.apply(value) : when(value.isNotNull(), array(value));
                } else {
                    values = array(lit(null).cast(DataTypes.StringType));
                }
                fields.add(values.as("d" + j));
            }
            long millis = v.granularity().millis();
            fields.add(col(EVENT_TIME).minus(pmod(col(EVENT_TIME), lit(millis))).as(BUCKET));
            List<MetricDefinition> ls = longMetrics(v);
            for (int k = 0; k < longs; k++) {
                Column value = lit(0L);
                if (k < ls.size()) {
                    MetricDefinition m = ls.get(k);
                    Column one = m.kind() == MetricKind.COUNT ? lit(1L) : col(m.field().column()).cast(DataTypes.LongType);
                    value = when(col(KIND).equalTo(m.source().ordinal()), one).otherwise(lit(0L));
                }
                fields.add(value.as("l" + k));
            }
            List<MetricDefinition> hs = sketchMetrics(v);
            for (int k = 0; k < sketches; k++) {
                Column value = lit(null).cast(DataTypes.StringType);
                if (k < hs.size()) {
                    MetricDefinition m = hs.get(k);
                    value = when(col(KIND).equalTo(m.source().ordinal()), stringValue(m.field()));
                }
                fields.add(value.as("h" + k));
            }
            Column reads = col(KIND).isin(v.sourceKinds().stream().map(FactKind::ordinal).toArray());
            perView[vi] = when(reads, struct(fields.toArray(Column[]::new)));
        }
        Dataset<Row> rows = facts.select(explode(array(perView)).as("x")).filter(col("x").isNotNull()).select("x.*");
        for (int j = 0; j < dims; j++) {
            // one row per value of each dimension: the cross product, as ViewDefinition#keys makes it
            rows = rows.withColumn("d" + j, explode(col("d" + j)));
        }
        List<Column> keys = new ArrayList<>();
        keys.add(col(VIEW));
        for (int j = 0; j < dims; j++) {
            keys.add(col("d" + j));
        }
        keys.add(col(BUCKET));
        List<Column> aggs = new ArrayList<>();
        for (int k = 0; k < longs; k++) {
            aggs.add(sum(col("l" + k)).as("l" + k));
        }
        for (int k = 0; k < sketches; k++) {
            aggs.add(sketchOf(col("h" + k)).as("h" + k));
        }
        return rows.groupBy(keys.toArray(Column[]::new))
                .agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new));
    }

    /** View {@code viewIndex}'s rows of an {@link #aggregate}, in {@link BatchViewRows#schema}. */
    public static Dataset<Row> viewRows(SparkSession spark, Dataset<Row> aggregated, List<ViewDefinition> views,
                                        int viewIndex) {
        ViewDefinition v = views.get(viewIndex);
        List<Column> cols = new ArrayList<>();
        for (int j = 0; j < v.dimensions().size(); j++) {
            cols.add(col("d" + j).as(v.dimensions().get(j).name()));
        }
        cols.add(timestamp_millis(col(BUCKET)).as(BatchViewSchema.BUCKET_START));
        int l = 0;
        int h = 0;
        for (MetricDefinition m : v.metrics()) {
            cols.add((m.kind() == MetricKind.DISTINCT ? coreSketch(col("h" + h++)) : col("l" + l++)).as(m.column()));
        }
        Dataset<Row> rows = aggregated.filter(col(VIEW).equalTo(viewIndex)).select(cols.toArray(Column[]::new));
        // the declared layout, non-null columns included (the rows are few: one per view key)
        return spark.createDataFrame(rows.javaRDD(), BatchViewRows.schema(v));
    }

    /**
     * core's {@link Hll} sketch of the non-null strings, as Spark's built-in DataSketches aggregate
     * with core's lgK: it updates with each string's UTF-8 bytes (the hash core's
     * {@code HllSketch.update(String)} takes, empty strings skipped by both) and merges partial
     * sketches with a DataSketches union into an HLL_8 sketch, as {@link Hll#union} does. Being
     * one of Spark's own aggregates, it reads the strings in Spark's format, where a typed
     * {@code Aggregator} would convert every input to a Java string and every buffer through an
     * encoder. Its result is the updatable serialization: {@link #coreSketch} turns it into core's
     * compact bytes.
     */
    static Column sketchOf(Column strings) {
        if (Hll.TYPE != TgtHllType.HLL_8) {
            throw new IllegalStateException("Spark's hll_sketch_agg builds HLL_8 sketches, core's Hll uses " + Hll.TYPE);
        }
        return hll_sketch_agg(strings, Hll.LG_K);
    }

    /** A {@link #sketchOf} result as core's bytes ({@link Hll#toBytes}). */
    static Column coreSketch(Column sketch) {
        return CORE_SKETCH.apply(sketch);
    }

    private static final UserDefinedFunction CORE_SKETCH = udf(
            (org.apache.spark.sql.api.java.UDF1<byte[], byte[]>) b -> b == null ? null : Hll.toBytes(Hll.fromBytes(b)),
            DataTypes.BinaryType);

    private static List<MetricDefinition> longMetrics(ViewDefinition v) {
        return v.metrics().stream().filter(m -> m.kind() != MetricKind.DISTINCT).toList();
    }

    private static List<MetricDefinition> sketchMetrics(ViewDefinition v) {
        return v.metrics().stream().filter(m -> m.kind() == MetricKind.DISTINCT).toList();
    }

    /** A fact field as the string {@link FactField#stringValue} gives (what keys and sketches see). */
    private static Column stringValue(FactField f) {
        return col(f.column()).cast(DataTypes.StringType);
    }

    /** Marker values for one probe: a string and a long per input column, distinct per side. */
    static final class Marks {
        private final char side;
        private final Set<String> columns = new TreeSet<>();

        Marks(char side) {
            this.side = side;
        }

        String s(String column) {
            columns.add(column);
            return "\u0001" + side + ":" + column;
        }

        long l(String column) {
            columns.add(column);
            return (side == 'A' ? 1L : 2L) << 50 | (column.hashCode() & 0xffffffffL);
        }

        /** The input column whose string marker this value is exactly, or null. */
        String stringColumn(String value) {
            for (String c : columns) {
                if (s(c).equals(value)) {
                    return c;
                }
            }
            return null;
        }

        /** The input column whose long marker this value is exactly, or null. */
        String longColumn(long value) {
            for (String c : columns) {
                if (l(c) == value) {
                    return c;
                }
            }
            return null;
        }

        /** Whether a value carries a marker at all (then it must be exactly one to be a copy). */
        boolean marked(String value) {
            return value != null && value.indexOf('\u0001') >= 0;
        }
    }

    /**
     * What core makes of one input shape, learnt by calling it with markers A and B: a field equal
     * to the marker of column c in both is column c, a field equal in both and unmarked is a
     * constant, and anything else is a computed value this plan cannot express.
     */
    static final class Derived {
        private final EventType type;
        private final Marks ma = new Marks('A');
        private final Marks mb = new Marks('B');
        private final Fact a;
        private final Fact b;

        Derived(EventType type, Function<Marks, Fact> make) {
            this.type = type;
            this.a = make.apply(ma);
            this.b = make.apply(mb);
        }

        EventType type() {
            return type;
        }

        FactKind kind() {
            if (a.kind() != b.kind()) {
                throw underivable("kind");
            }
            return a.kind();
        }

        Column timeColumn() {
            return longColumn("event_time", a.eventTime(), b.eventTime());
        }

        Column fieldColumn(FactField f) {
            if (f == FactField.TOTAL_MINOR) {
                return longColumn(f.column(), a.totalMinor(), b.totalMinor());
            }
            String va = f.stringValue(a);
            String vb = f.stringValue(b);
            String ca = ma.stringColumn(va);
            if (ca != null && ca.equals(mb.stringColumn(vb))) {
                return col(ca);
            }
            if (!ma.marked(va) && !mb.marked(vb) && Objects.equals(va, vb)) {
                return lit(va).cast(DataTypes.StringType);
            }
            throw underivable(f.column());
        }

        private Column longColumn(String field, long va, long vb) {
            String ca = ma.longColumn(va);
            if (ca != null && ca.equals(mb.longColumn(vb))) {
                return col(ca);
            }
            if (ca == null && mb.longColumn(vb) == null && va == vb) {
                return lit(va);
            }
            throw underivable(field);
        }

        private IllegalStateException underivable(String field) {
            return new IllegalStateException("core's fact " + field + (type == null ? " of an attributed click" : " of " + type)
                    + " is neither an input column nor a constant; the Spark view plan cannot express it");
        }
    }
}
