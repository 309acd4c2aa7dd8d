package dev.tandem.batch.cli;

import dev.tandem.batch.spark.SparkRecomputeTest;
import dev.tandem.batch.testkit.LocalSpark;
import dev.tandem.batch.testkit.TestMasters;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.reference.ReferenceEvaluator;
import dev.tandem.core.storage.RunManifest;
import dev.tandem.core.storage.StorageLayout;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.tandem.core.testkit.TestEvents.t;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code batch --engine mapreduce} through the CLI publishes a run whose rows equal the reference,
 * read with the same reader as Spark runs (engines agree, invariant 7). The Spark engine's CLI
 * path is covered by SparkSubmitBatchIT (its session must not be this JVM's shared one).
 */
@ExtendWith(LocalSpark.class)
class BatchCliEnginesTest {

    @TempDir
    Path dir;

    @Test
    void mapReduceEngineThroughTheCliPublishesTheReferenceRows(SparkSession spark) throws Exception {
        StorageLayout layout = StorageLayout.at(dir.toString());
        List<IngestedEvent> events = TestMasters.events(17, 300, t("2026-11-20T00:00:00Z"));
        TestMasters.writeFiles(spark, layout, events);
        TestMasters.markComplete(layout, TestMasters.hoursOf(events));

        assertThat(BatchCli.run("batch", "--engine", "mapreduce", "--root", dir.toString(), "--mode", "incremental")).isZero();

        String run = layout.readCurrent().orElseThrow();
        RunManifest m = layout.readManifest(run);
        assertThat(m.engine()).isEqualTo("mapreduce");
        SparkRecomputeTest.assertRunEqualsReference(spark, layout, run, ReferenceEvaluator.evaluate(events), m.cutoffMillis());
    }
}
