package dev.tandem.batch.spark;

import dev.tandem.batch.testkit.LocalSpark;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.testkit.RandomLogs;
import dev.tandem.core.testkit.ViewAssertions;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.validation.EventValidator;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.Fact;
import dev.tandem.core.view.FactField;
import dev.tandem.core.view.FactKind;
import dev.tandem.core.view.Facts;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewKey;
import dev.tandem.core.view.Views;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Spark view plan against core: the views it aggregates equal core's own fold
 * ({@link ViewDefinition#contribute} and {@link Aggregate#merge}) over the same facts, and the
 * derivation of fact columns from {@link Facts} accepts copies and constants only.
 */
@ExtendWith(LocalSpark.class)
class SparkViewPlanTest {

    private static final StructType LOG = DataTypes.createStructType(List.of(
            DataTypes.createStructField(MasterRows.TYPE, DataTypes.IntegerType, true),
            DataTypes.createStructField(MasterRows.EVENT_TIME, DataTypes.LongType, false),
            DataTypes.createStructField(MasterRows.INGEST_TIME, DataTypes.LongType, false),
            DataTypes.createStructField(MasterRows.TAG, DataTypes.LongType, false),
            DataTypes.createStructField("user_id", DataTypes.StringType, true),
            DataTypes.createStructField("region", DataTypes.StringType, true),
            DataTypes.createStructField("campaign_id", DataTypes.StringType, true),
            DataTypes.createStructField("ad_id", DataTypes.StringType, true),
            DataTypes.createStructField("impression_id", DataTypes.StringType, true),
            DataTypes.createStructField("order_id", DataTypes.StringType, true),
            DataTypes.createStructField("total_minor", DataTypes.LongType, true),
            DataTypes.createStructField("query", DataTypes.StringType, true),
            DataTypes.createStructField("currency", DataTypes.StringType, true)));

    private static final StructType ATTRIBUTED = DataTypes.createStructType(List.of(
            DataTypes.createStructField("c_time", DataTypes.LongType, false),
            DataTypes.createStructField("c_tag", DataTypes.LongType, false),
            DataTypes.createStructField("c_user", DataTypes.StringType, false),
            DataTypes.createStructField("i_campaign", DataTypes.StringType, false),
            DataTypes.createStructField("i_tag", DataTypes.LongType, false)));

    @Test
    void viewsEqualCoresFoldOverTheSameFacts(SparkSession spark) {
        for (long seed : new long[]{5, 6}) {
            long start = IngestTags.tagOf(1_700_000_000_000L);
            List<Row> events = new ArrayList<>();
            List<Fact> facts = new ArrayList<>();
            for (IngestedEvent ie : RandomLogs.generate(seed, 20_000, start)) {
                if (EventValidator.validate(ie.event(), ie.ingestTime()) != null) {
                    continue;
                }
                var e = ie.event();
                events.add(RowFactory.create(e.eventType().ordinal(), e.eventTime(), ie.ingestTime(), ie.tag(),
                        e.userId(), e.region(), e.campaignId(), e.adId(), e.impressionId(), e.orderId(), e.totalMinor(),
                        e.query(), e.currency()));
                facts.add(Facts.of(ie));
            }
            // attributed clicks: any click time, user and campaign, as the join would give them
            SplittableRandom rnd = new SplittableRandom(seed);
            List<Row> attributed = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                long time = start + rnd.nextLong(3 * IngestTags.DAY_MS);
                long cTag = IngestTags.tagOf(time + rnd.nextLong(IngestTags.HOUR_MS));
                long iTag = IngestTags.tagOf(time);
                String user = "u" + rnd.nextInt(50);
                String campaign = "c" + rnd.nextInt(7);
                attributed.add(RowFactory.create(time, cTag, user, campaign, iTag));
                facts.add(Facts.attributedClick(time, cTag, user, campaign, iTag));
            }
            Dataset<Row> log = spark.createDataFrame(events, LOG);
            Dataset<Row> att = spark.createDataFrame(attributed, ATTRIBUTED);
            Dataset<Row> aggregated = SparkViewPlan.aggregate(
                    SparkViewPlan.eventFacts(log, Long.MIN_VALUE).unionByName(SparkViewPlan.attributedFacts(att)), Views.ALL);

            for (int i = 0; i < Views.ALL.size(); i++) {
                ViewDefinition v = Views.ALL.get(i);
                Map<ViewKey, Aggregate> expected = new HashMap<>();
                for (Fact f : facts) {
                    v.contribute(f, (k, a) -> expected.merge(k, a, Aggregate::merge));
                }
                Map<ViewKey, Aggregate> actual = new HashMap<>();
                for (Row r : SparkViewPlan.viewRows(spark, aggregated, Views.ALL, i).collectAsList()) {
                    Tuple2<ViewKey, Aggregate> t = BatchViewRows.fromRow(v, r);
                    assertThat(actual.put(t._1(), t._2())).as("one row per key").isNull();
                }
                assertThat(expected).as(v.name()).isNotEmpty();
                ViewAssertions.assertSameRows("seed " + seed + " " + v.name(), expected, actual);
            }
        }
    }

    @Test
    void onlyFactsWithTheTagOrLaterAreMade(SparkSession spark) {
        long h = IngestTags.tagOf(1_700_000_000_000L);
        List<Row> rows = List.of(
                RowFactory.create(3, h - 10, h - 5, h - IngestTags.HOUR_MS, "u1", null, null, null, null, null, null, "a b", null),
                RowFactory.create(3, h + 10, h + 5, h, "u2", null, null, null, null, null, null, "c", null));
        List<Row> facts = SparkViewPlan.eventFacts(spark.createDataFrame(rows, LOG), h).collectAsList();
        assertThat(facts).hasSize(1);
        assertThat(facts.get(0).<String>getAs("query")).isEqualTo("c");
        assertThat(facts.get(0).<Integer>getAs(SparkViewPlan.KIND)).isEqualTo(FactKind.SEARCH.ordinal());
    }

    @Test
    void factColumnsAreCopiesOrConstantsOfTheInput() {
        SparkViewPlan.Derived copy = new SparkViewPlan.Derived(null, m -> new Fact(FactKind.CLICK, m.l("c_time"), 0L,
                m.s("c_user"), "fixed", null, null, 0, null));
        assertThat(copy.kind()).isEqualTo(FactKind.CLICK);
        assertThat(copy.timeColumn().toString()).isEqualTo(col("c_time").toString());
        assertThat(copy.fieldColumn(FactField.USER_ID).toString()).isEqualTo(col("c_user").toString());
        assertThat(copy.fieldColumn(FactField.CAMPAIGN_ID).toString())
                .isEqualTo(lit("fixed").cast(DataTypes.StringType).toString());
        assertThat(copy.fieldColumn(FactField.TOTAL_MINOR).toString()).isEqualTo(lit(0L).toString());

        SparkViewPlan.Derived computed = new SparkViewPlan.Derived(null, m -> new Fact(FactKind.CLICK,
                m.l("c_time") / 1000, 0L, m.s("c_user").toUpperCase(), null, null, null, 0, null));
        assertThatThrownBy(() -> computed.fieldColumn(FactField.USER_ID))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("user_id");
        assertThatThrownBy(computed::timeColumn).isInstanceOf(IllegalStateException.class);
    }
}
