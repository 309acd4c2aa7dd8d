package dev.tandem.batch.spark;

import dev.tandem.batch.testkit.LocalSpark;
import dev.tandem.batch.testkit.TestMasters;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.reference.ReferenceEvaluator;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.testkit.ViewAssertions;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.Views;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static dev.tandem.core.testkit.TestEvents.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(LocalSpark.class)
class SparkBackfillTest {

    @TempDir
    Path dir;

    @Test
    void backfillAfterARepairedHourPublishesExactRowsAndIsIdempotent(SparkSession spark) throws IOException {
        StorageLayout layout = StorageLayout.at(dir.toString());
        List<IngestedEvent> events = TestMasters.events(21, 400, t("2026-11-20T00:00:00Z"));
        List<Long> hours = List.copyOf(TestMasters.hoursOf(events));
        long broken = hours.get(hours.size() / 2);
        // an archive bug lost partition 1 of one hour; the hour was still marked complete
        List<IngestedEvent> lost = events.stream().filter(e -> e.tag() == broken && e.partition() == 1).toList();
        assertThat(lost).isNotEmpty();
        TestMasters.writeFiles(spark, layout, events.stream().filter(e -> !lost.contains(e)).toList());
        TestMasters.markComplete(layout, hours);
        String before = new SparkRecomputeJob(spark, layout).run(SparkRecomputeJob.Mode.FULL).runId();
        long h = layout.cutoff().orElseThrow();

        // the hour is repaired: the lost records are re-imported
        TestMasters.writeFiles(spark, layout, lost);
        SparkRecomputeJob.Outcome first = new SparkRecomputeJob(spark, layout).backfill(broken, broken + IngestTags.HOUR_MS);
        assertThat(first.published()).isTrue();
        assertThat(first.manifest().mode()).isEqualTo("backfill");
        assertThat(first.manifest().inputs()).containsEntry("backfill_from_ms", broken);
        assertThat(layout.readCurrent()).contains(first.runId()).isNotEqualTo(before);
        SparkRecomputeTest.assertRunEqualsReference(spark, layout, first.runId(), ReferenceEvaluator.evaluate(events), h);

        SparkRecomputeJob.Outcome again = new SparkRecomputeJob(spark, layout).backfill(broken, broken + IngestTags.HOUR_MS);
        for (ViewDefinition v : Views.ALL) {
            ViewAssertions.assertSameRows(v.name() + ": backfill rerun",
                    SparkRecomputeTest.rowsOf(spark, layout, first.runId(), v),
                    SparkRecomputeTest.rowsOf(spark, layout, again.runId(), v));
        }
        assertThat(layout.readManifest(again.runId()).inputs()).isEqualTo(first.manifest().inputs());
    }

    @Test
    void backfillRefusesHoursThatAreNotComplete(SparkSession spark) throws IOException {
        StorageLayout layout = StorageLayout.at(dir.toString());
        long h0 = t("2026-11-20T00:00:00Z");
        TestMasters.markComplete(layout, List.of(h0, h0 + IngestTags.HOUR_MS));
        SparkRecomputeJob job = new SparkRecomputeJob(spark, layout);
        assertThatThrownBy(() -> job.backfill(h0, h0 + 3 * IngestTags.HOUR_MS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2026-11-20T02").hasMessageContaining("not complete");
        assertThat(layout.readCurrent()).isEmpty();
    }
}
