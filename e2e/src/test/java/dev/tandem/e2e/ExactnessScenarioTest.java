package dev.tandem.e2e;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import dev.tandem.batch.spark.ColumnarCache;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * The randomized end-to-end exactness scenario over the real components, one dynamic test per
 * seed. CI runs 20 seeds; {@code -Dtandem.e2e.seeds=300} runs more, {@code -Dtandem.e2e.seed=N}
 * replays one (a failure prints that command). Slow: about half a minute a seed.
 */
@Tag("slow")
class ExactnessScenarioTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    static SparkSession spark;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startSpark() {
        // the batch CLI's session setup: master rows cached as column vectors
        spark = ColumnarCache.install(SparkSession.builder())
                .appName("tandem-e2e")
                .master("local[2]")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.default.parallelism", "2")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @TestFactory
    Stream<DynamicTest> everyServedAnswerEqualsTheReferenceAfterEveryStep() {
        String one = System.getProperty("tandem.e2e.seed", "");
        LongStream seeds = one.isBlank()
                ? LongStream.rangeClosed(1, Long.parseLong(System.getProperty("tandem.e2e.seeds", "20")))
                : LongStream.of(Long.parseLong(one));
        return seeds.mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> {
            try (Scenario s = new Scenario(seed, dir.resolve("seed-" + seed), spark)) {
                s.run(3);
            }
        }));
    }
}
