package dev.tandem.batch.mapreduce.jobs;

import dev.tandem.batch.mapreduce.MapReduceConfig;
import dev.tandem.batch.spark.SparkRecomputeJob;
import dev.tandem.batch.testkit.LocalSpark;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.testkit.RandomLogs;
import dev.tandem.core.testkit.ViewAssertions;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewKey;
import dev.tandem.core.view.Views;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** DESIGN §6.7: the MapReduce engine and Spark give the same rows on the same master dataset. */
@ExtendWith(LocalSpark.class)
class EnginesAgreeTest {

    @TempDir
    java.nio.file.Path tmp;

    @Test
    void mapReduceAndSparkWriteTheSameRows(SparkSession spark) throws IOException {
        List<IngestedEvent> log = RandomLogs.generate(31, 800, MapReduceBatchTest.START);
        StorageLayout layout = StorageLayout.at(tmp.resolve("data").toString());
        MasterFixture.write(layout, log, 1, 1 << 20, true);

        MapReduceBatch.Result mr = MapReduceBatch.compute(layout, MapReduceConfig.defaults(tmp.resolve("local"))
                .withSortBufferBytes(1 << 20).withProgressInterval(Duration.ofSeconds(5)));
        SparkRecomputeJob.Outcome sp = new SparkRecomputeJob(spark, layout).run(SparkRecomputeJob.Mode.FULL);

        assertThat(sp.manifest().cutoff()).isEqualTo(mr.manifest().cutoff());
        for (ViewDefinition v : Views.ALL) {
            Map<ViewKey, Aggregate> mrRows = MapReduceBatchTest.readView(layout, mr.manifest().runId(), v);
            Map<ViewKey, Aggregate> sparkRows = MapReduceBatchTest.readView(layout, sp.runId(), v);
            assertThat(mrRows).as(v.name()).isNotEmpty();
            ViewAssertions.assertSameRows(v.name() + ": spark vs mapreduce", sparkRows, mrRows);
        }
    }
}
