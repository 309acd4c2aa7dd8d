package dev.tandem.batch.spark;

import dev.tandem.batch.RunAdmin;
import dev.tandem.batch.testkit.LocalSpark;
import dev.tandem.batch.testkit.TestMasters;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.reference.Evaluation;
import dev.tandem.core.reference.ReferenceEvaluator;
import dev.tandem.core.storage.RunManifest;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.testkit.ViewAssertions;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.BatchViewSchema;
import dev.tandem.core.view.Hll;
import dev.tandem.core.view.MetricDefinition;
import dev.tandem.core.view.MetricKind;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewKey;
import dev.tandem.core.view.Views;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import scala.Tuple2;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

import static dev.tandem.core.testkit.TestEvents.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(LocalSpark.class)
public class SparkRecomputeTest {

    private static final long START = t("2026-11-20T00:00:00Z");

    @TempDir
    Path dir;

    /** A master dataset for a seed, all of its hours complete; returns the events in it. */
    private List<IngestedEvent> masterFor(SparkSession spark, StorageLayout layout, long seed, int size) throws IOException {
        List<IngestedEvent> events = TestMasters.events(seed, size, START);
        TestMasters.writeFiles(spark, layout, events);
        TestMasters.markComplete(layout, TestMasters.hoursOf(events));
        return events;
    }

    public static SortedMap<ViewKey, Aggregate> rowsOf(SparkSession spark, StorageLayout layout, String runId, ViewDefinition v) {
        SortedMap<ViewKey, Aggregate> out = new TreeMap<>();
        for (Row r : spark.read().parquet(layout.viewDir(runId, v.name()).toString()).collectAsList()) {
            Tuple2<ViewKey, Aggregate> t = BatchViewRows.fromRow(v, r);
            assertThat(out.put(t._1(), t._2())).as("duplicate row %s in %s", t._1(), v.name()).isNull();
        }
        return out;
    }

    public static void assertRunEqualsReference(SparkSession spark, StorageLayout layout, String runId, Evaluation ref, long cutoff) {
        for (ViewDefinition v : Views.ALL) {
            SortedMap<ViewKey, Aggregate> expected = ref.view(v).batch(cutoff);
            assertThat(expected).as("reference rows of %s", v.name()).isNotEmpty();
            ViewAssertions.assertSameRows(v.name() + " of " + runId, expected, rowsOf(spark, layout, runId, v));
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 7, 42})
    void fullRecomputeEqualsTheReferenceEvaluator(long seed, SparkSession spark) throws IOException {
        StorageLayout layout = StorageLayout.at(dir.toString());
        List<IngestedEvent> log = masterFor(spark, layout, seed, 300);
        Evaluation ref = ReferenceEvaluator.evaluate(log);
        long h = layout.cutoff().orElseThrow();
        assertThat(h).as("every record is below the cutoff").isGreaterThan(log.stream().mapToLong(IngestedEvent::ingestTime).max().orElseThrow());

        SparkRecomputeJob.Outcome out = new SparkRecomputeJob(spark, layout).run(SparkRecomputeJob.Mode.FULL);

        assertThat(out.published()).isTrue();
        assertThat(layout.readCurrent()).contains(out.runId());
        assertRunEqualsReference(spark, layout, out.runId(), ref, h);

        RunManifest m = layout.readManifest(out.runId());
        assertThat(m.engine()).isEqualTo("spark");
        assertThat(m.mode()).isEqualTo("full");
        assertThat(m.cutoffMillis()).isEqualTo(h);
        assertThat(m.inputs().get("records")).isEqualTo(ref.records());
        assertThat(m.inputs().get("rejected")).isEqualTo(ref.rejectedTotal()).isPositive();
        ref.rejected().forEach((reason, n) -> assertThat(m.inputs().get("rejected." + reason.code())).isEqualTo(n));
        assertThat(m.inputs().get("unique_events")).isEqualTo(ref.valid());
        assertThat(m.inputs().get("duplicates")).isEqualTo(ref.duplicates()).isPositive();
        assertThat(m.inputs().get("attributed_clicks")).isEqualTo(ref.attributedClicks()).isPositive();
        for (ViewDefinition v : Views.ALL) {
            assertThat(m.rowCounts().get(v.name())).isEqualTo(ref.view(v).batch(h).size());
        }
        assertThat(m.timingsMs()).containsKeys("read_validate", "dedup", "attribution_join", "views", "write", "total");
        assertStoredLayout(spark, layout, out.runId(), ref, h);
    }

    /** Columns and types are core's BatchViewSchema; sketch bytes are core's compact HLL. */
    private static void assertStoredLayout(SparkSession spark, StorageLayout layout, String run, Evaluation ref, long h) {
        for (ViewDefinition v : Views.ALL) {
            var df = spark.read().parquet(layout.viewDir(run, v.name()).toString());
            assertThat(List.of(df.columns())).isEqualTo(BatchViewSchema.columns(v));
            assertThat(df.schema().apply(BatchViewSchema.BUCKET_START).dataType()).isEqualTo(DataTypes.TimestampType);
            Row r = df.first();
            ViewKey k = BatchViewRows.fromRow(v, r)._1();
            for (MetricDefinition m : v.metrics()) {
                if (m.kind() == MetricKind.DISTINCT) {
                    byte[] stored = r.getAs(m.column());
                    assertThat(Hll.estimateCount(Hll.fromBytes(stored)))
                            .isEqualTo(ref.view(v).batch(h).get(k).value(m.name()));
                } else {
                    assertThat(r.<Long>getAs(m.column())).isEqualTo(ref.view(v).batch(h).get(k).longValue(m.name()));
                }
            }
        }
    }

    @Test
    void incrementalRunEqualsAFullRecompute(SparkSession spark) throws IOException {
        StorageLayout layout = StorageLayout.at(dir.toString());
        List<IngestedEvent> events = TestMasters.events(11, 400, START);
        TestMasters.writeFiles(spark, layout, events);
        TreeSet<Long> hours = TestMasters.hoursOf(events);
        List<Long> all = List.copyOf(hours);
        List<Long> firstPart = all.subList(0, all.size() / 2);
        TestMasters.markComplete(layout, firstPart);
        long h0 = layout.cutoff().orElseThrow();

        SparkRecomputeJob.Outcome first = new SparkRecomputeJob(spark, layout).run(SparkRecomputeJob.Mode.INCREMENTAL);
        assertThat(first.manifest().mode()).as("no published version yet: falls back to full").isEqualTo("full");
        assertThat(first.manifest().cutoffMillis()).isEqualTo(h0);

        TestMasters.markComplete(layout, all);
        long h = layout.cutoff().orElseThrow();
        SparkRecomputeJob.Outcome inc = new SparkRecomputeJob(spark, layout).run(SparkRecomputeJob.Mode.INCREMENTAL);
        assertThat(inc.published()).isTrue();
        assertThat(inc.manifest().mode()).isEqualTo("incremental");
        assertThat(inc.manifest().previousRun()).isEqualTo(first.runId());
        assertThat(inc.manifest().cutoffMillis()).isEqualTo(h);

        SparkRecomputeJob.Outcome full = new SparkRecomputeJob(spark, layout).run(SparkRecomputeJob.Mode.FULL);
        for (ViewDefinition v : Views.ALL) {
            ViewAssertions.assertSameRows(v.name() + ": incremental vs full",
                    rowsOf(spark, layout, full.runId(), v), rowsOf(spark, layout, inc.runId(), v));
        }
        assertRunEqualsReference(spark, layout, inc.runId(), ReferenceEvaluator.evaluate(events), h);

        SparkRecomputeJob.Outcome again = new SparkRecomputeJob(spark, layout).run(SparkRecomputeJob.Mode.INCREMENTAL);
        assertThat(again.published()).as("nothing new since the last cutoff").isFalse();
        assertThat(layout.readCurrent()).contains(full.runId());
    }

    /**
     * Incremental reads only the hours since the previous cutoff (plus that run's state): with every
     * older master file corrupted, it still succeeds and equals the reference over all events, while
     * a full run over the same master fails on the corrupt files. A previous run without state makes
     * incremental fall back to full (a run {@link SparkRecomputeJob#withoutState}, whose views are
     * still complete).
     */
    @Test
    void incrementalReadsOnlyTheNewHoursAndThePreviousRunsState(SparkSession spark) throws IOException {
        StorageLayout layout = StorageLayout.at(dir.toString());
        List<IngestedEvent> events = TestMasters.events(17, 400, START);
        TestMasters.writeFiles(spark, layout, events);
        List<Long> all = List.copyOf(TestMasters.hoursOf(events));
        List<Long> firstThird = all.subList(0, all.size() / 3);
        List<Long> old = all.subList(0, 2 * all.size() / 3);

        TestMasters.markComplete(layout, firstThird);
        SparkRecomputeJob.Outcome a = new SparkRecomputeJob(spark, layout).withoutState().run(SparkRecomputeJob.Mode.FULL);
        assertThat(RunState.exists(layout, a.runId())).as("a run without state").isFalse();
        assertRunEqualsReference(spark, layout, a.runId(), ReferenceEvaluator.evaluate(events), layout.cutoff().orElseThrow());
        TestMasters.markComplete(layout, old);
        SparkRecomputeJob.Outcome b = new SparkRecomputeJob(spark, layout).run(SparkRecomputeJob.Mode.INCREMENTAL);
        assertThat(b.manifest().mode()).as("the published run kept no state: full").isEqualTo("full");
        assertThat(b.manifest().inputs().get("hours_read")).isEqualTo(old.size());

        int corrupted = 0;
        for (long hour : old) {
            for (org.apache.hadoop.fs.Path p : layout.masterHourFiles(hour)) {
                java.nio.file.Files.write(Path.of(p.toUri()), "not parquet".getBytes());
                corrupted++;
            }
        }
        assertThat(corrupted).isPositive();
        TestMasters.markComplete(layout, all);
        long h = layout.cutoff().orElseThrow();

        SparkRecomputeJob.Outcome inc = new SparkRecomputeJob(spark, layout).run(SparkRecomputeJob.Mode.INCREMENTAL);
        assertThat(inc.manifest().mode()).isEqualTo("incremental");
        assertThat(inc.manifest().previousRun()).isEqualTo(b.runId());
        assertThat(inc.manifest().inputs().get("hours_read")).isEqualTo(all.size() - old.size());
        assertRunEqualsReference(spark, layout, inc.runId(), ReferenceEvaluator.evaluate(events), h);
        assertThatThrownBy(() -> new SparkRecomputeJob(spark, layout).run(SparkRecomputeJob.Mode.FULL))
                .as("a full run does read the corrupt old hours").isNotNull();
    }

    @Test
    void aRunKilledBeforePublishLeavesTheServedVersionAndTheRerunPublishes(SparkSession spark) throws IOException {
        StorageLayout layout = StorageLayout.at(dir.toString());
        List<IngestedEvent> events = TestMasters.events(13, 300, START);
        TestMasters.writeFiles(spark, layout, events);
        List<Long> all = List.copyOf(TestMasters.hoursOf(events));
        TestMasters.markComplete(layout, all.subList(0, all.size() - 3));
        String served = new SparkRecomputeJob(spark, layout).run(SparkRecomputeJob.Mode.FULL).runId();
        Map<String, SortedMap<ViewKey, Aggregate>> before = new TreeMap<>();
        for (ViewDefinition v : Views.ALL) {
            before.put(v.name(), rowsOf(spark, layout, served, v));
        }

        TestMasters.markComplete(layout, all);
        for (String crashPoint : List.of("afterViewsWritten", "beforePublish")) {
            SparkRecomputeJob.Hooks crash = new SparkRecomputeJob.Hooks() {
                @Override
                public void afterViewsWritten(String runId) {
                    if (crashPoint.equals("afterViewsWritten")) {
                        throw new IllegalStateException("killed at " + crashPoint);
                    }
                }

                @Override
                public void beforePublish(String runId) {
                    throw new IllegalStateException("killed at " + crashPoint);
                }
            };
            assertThatThrownBy(() -> new SparkRecomputeJob(spark, layout, Clock.systemUTC(), crash)
                    .run(SparkRecomputeJob.Mode.INCREMENTAL)).hasMessageContaining("killed at " + crashPoint);
            assertThat(layout.readCurrent()).as("after a crash %s", crashPoint).contains(served);
            for (ViewDefinition v : Views.ALL) {
                ViewAssertions.assertSameRows(v.name() + " still served after crash " + crashPoint,
                        before.get(v.name()), rowsOf(spark, layout, served, v));
            }
        }
        assertThat(layout.completeRuns()).as("the run killed before its manifest is not complete").hasSize(2);

        SparkRecomputeJob.Outcome rerun = new SparkRecomputeJob(spark, layout).run(SparkRecomputeJob.Mode.INCREMENTAL);
        assertThat(rerun.published()).isTrue();
        assertThat(layout.readCurrent()).contains(rerun.runId());
        assertRunEqualsReference(spark, layout, rerun.runId(), ReferenceEvaluator.evaluate(events), layout.cutoff().orElseThrow());

        // rollback to the earlier version, and forward again
        RunAdmin admin = new RunAdmin(layout);
        admin.rollback(served);
        assertThat(layout.readCurrent()).contains(served);
        assertThatThrownBy(() -> admin.rollback("20261126T000000Z-spark-dead")).isInstanceOf(IllegalArgumentException.class);
        List<String> complete = layout.completeRuns();
        String abandoned = allRunDirs(layout).stream().filter(r -> !complete.contains(r)).findFirst().orElseThrow();
        assertThatThrownBy(() -> admin.rollback(abandoned)).as("a run without manifest is never published")
                .isInstanceOf(IllegalArgumentException.class);
        admin.rollback(rerun.runId());

        // pruning keeps CURRENT, drops older complete runs and the abandoned one
        List<String> pruned = admin.prune(1);
        assertThat(pruned).contains(served, abandoned).doesNotContain(rerun.runId());
        assertThat(allRunDirs(layout)).containsExactly(rerun.runId());
        assertThat(layout.readCurrent()).contains(rerun.runId());
        assertRunEqualsReference(spark, layout, rerun.runId(), ReferenceEvaluator.evaluate(events), layout.cutoff().orElseThrow());
    }

    static List<String> allRunDirs(StorageLayout layout) throws IOException {
        List<String> out = new java.util.ArrayList<>();
        for (var st : layout.fs().listStatus(layout.runsDir())) {
            out.add(st.getPath().getName());
        }
        java.util.Collections.sort(out);
        return out;
    }
}
