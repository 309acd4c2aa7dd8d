package dev.tandem.serving.batch;

import dev.tandem.core.reference.ReferenceEvaluator;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.testkit.RandomLogs;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewKey;
import dev.tandem.core.view.ViewTable;
import dev.tandem.core.view.Views;
import dev.tandem.serving.testing.BatchVersions;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.tandem.core.testkit.TestEvents.t;
import static dev.tandem.core.testkit.ViewAssertions.assertSameRows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BatchWatcherTest {

    static final long START = t("2026-11-20T00:00:00Z");
    static Map<String, ViewTable> tables;

    @TempDir
    java.nio.file.Path dir;

    @BeforeAll
    static void evaluate() {
        tables = ReferenceEvaluator.evaluate(RandomLogs.generate(7, 1500, START)).views();
    }

    static Map<ViewKey, Aggregate> rowsOf(ViewIndex idx) {
        Map<ViewKey, Aggregate> out = new TreeMap<>();
        idx.scan(Long.MIN_VALUE, Long.MAX_VALUE, (k, a, e) -> out.put(k, a));
        return out;
    }

    @Test
    void servesNothingBeforeTheFirstPublish() {
        StorageLayout layout = StorageLayout.at(dir.toString());
        try (BatchWatcher w = new BatchWatcher(layout, () -> 0L)) {
            BatchSnapshot s = w.check();
            assertThat(s.exists()).isFalse();
            assertThat(s.cutoff()).isEqualTo(Long.MIN_VALUE);
            assertThat(w.lastError()).isEmpty();
            assertThat(s.view(Views.CAMPAIGN_HOURLY).size()).isZero();
        }
    }

    @Test
    void loadsThePublishedVersionIntoAnIndexEqualToTheReferenceBatch() throws IOException {
        StorageLayout layout = StorageLayout.at(dir.toString());
        long cutoff = START + 30 * 3_600_000L;
        String run = BatchVersions.writeAndPublish(layout, tables, cutoff);
        try (BatchWatcher w = new BatchWatcher(layout, () -> 0L)) {
            BatchSnapshot s = w.check();
            assertThat(s.runId()).isEqualTo(run);
            assertThat(s.cutoff()).isEqualTo(cutoff);
            for (ViewDefinition v : Views.ALL) {
                Map<ViewKey, Aggregate> expected = tables.get(v.name()).batch(cutoff);
                assertThat(expected).as(v.name()).isNotEmpty();
                assertSameRows(v.name(), expected, rowsOf(s.view(v).all()));
            }
        }
    }

    @Test
    void rangeScanVisitsExactlyTheBucketsInFromInclusiveToExclusive() throws IOException {
        StorageLayout layout = StorageLayout.at(dir.toString());
        BatchVersions.writeAndPublish(layout, tables, START + 48 * 3_600_000L);
        try (BatchWatcher w = new BatchWatcher(layout, () -> 0L)) {
            ViewIndex idx = w.check().view(Views.CAMPAIGN_HOURLY).all();
            long from = START + 5 * 3_600_000L;
            long to = START + 9 * 3_600_000L;
            List<ViewKey> seen = new ArrayList<>();
            idx.scan(from, to, (k, a, e) -> seen.add(k));
            List<ViewKey> expected = idx.keys().stream().filter(k -> k.bucketStart() >= from && k.bucketStart() < to).toList();
            assertThat(expected).isNotEmpty();
            assertThat(seen).containsExactlyElementsOf(expected);
            assertThat(idx.get(expected.get(0))).isNotNull();
        }
    }

    @Test
    void aRunThatCannotBeLoadedLeavesThePreviousVersionInService() throws IOException {
        StorageLayout layout = StorageLayout.at(dir.toString());
        long cutoff = START + 10 * 3_600_000L;
        String good = BatchVersions.writeAndPublish(layout, tables, cutoff);
        try (BatchWatcher w = new BatchWatcher(layout, () -> 0L)) {
            assertThat(w.check().runId()).isEqualTo(good);
            String bad = BatchVersions.write(layout, tables, cutoff + 3_600_000L, 1, Instant.parse("2026-11-21T00:00:00Z"));
            try (FSDataOutputStream out = layout.fs().create(
                    new Path(layout.viewDir(bad, "campaign_hourly"), "part-00000.parquet"), true)) {
                out.write("not parquet at all".getBytes());
            }
            layout.publish(bad);
            BatchSnapshot s = w.check();
            assertThat(s.runId()).isEqualTo(good);
            assertThat(w.lastError()).hasValueSatisfying(e -> assertThat(e).contains("part-00000.parquet"));
            assertThatThrownBy(w::reload).hasMessageContaining("cannot load");
            assertThat(w.current().runId()).isEqualTo(good);
        }
    }

    @Test
    void aManifestRowCountThatDisagreesWithTheFilesFailsTheLoad() throws IOException {
        StorageLayout layout = StorageLayout.at(dir.toString());
        String run = BatchVersions.write(layout, tables, START + 10 * 3_600_000L, 1, Instant.parse("2026-11-21T00:00:00Z"));
        layout.fs().delete(new Path(layout.viewDir(run, "search_terms_daily"), "part-00000.parquet"), false);
        layout.publish(run);
        assertThatThrownBy(() -> new BatchLoader(layout, () -> 0L).load(run))
                .hasMessageContaining("manifest says");
    }

    @Test
    void swapsToANewVersionWithoutAnyReaderSeeingAMixOrAFailure() throws Exception {
        StorageLayout layout = StorageLayout.at(dir.toString());
        long h1 = START + 12 * 3_600_000L;
        long h2 = START + 36 * 3_600_000L;
        BatchVersions.writeAndPublish(layout, tables, h1);
        ViewTable campaigns = tables.get("campaign_hourly");
        Map<Long, Long> impressionsByCutoff = Map.of(
                h1, campaigns.batch(h1).values().stream().mapToLong(a -> a.longValue("impressions")).sum(),
                h2, campaigns.batch(h2).values().stream().mapToLong(a -> a.longValue("impressions")).sum());
        assertThat(impressionsByCutoff.get(h1)).isNotEqualTo(impressionsByCutoff.get(h2));
        try (BatchWatcher w = new BatchWatcher(layout, () -> 0L)) {
            w.check();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<String> failure = new AtomicReference<>();
            AtomicInteger sawNew = new AtomicInteger();
            Thread reader = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        BatchSnapshot s = w.current();
                        long[] sum = {0};
                        s.view(Views.CAMPAIGN_HOURLY).all().scan(Long.MIN_VALUE, Long.MAX_VALUE,
                                (k, a, e) -> sum[0] += a.longValue("impressions"));
                        if (sum[0] != impressionsByCutoff.get(s.cutoff())) {
                            failure.set("mixed read: cutoff " + s.cutoff() + " sum " + sum[0]);
                        }
                        if (s.cutoff() == h2) {
                            sawNew.incrementAndGet();
                        }
                    } catch (RuntimeException e) {
                        failure.set(e.toString());
                    }
                }
            });
            reader.start();
            BatchVersions.writeAndPublish(layout, tables, h2);
            w.check();
            long deadline = System.currentTimeMillis() + 5000;
            while (sawNew.get() < 50 && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
            stop.set(true);
            reader.join();
            assertThat(failure.get()).isNull();
            assertThat(sawNew.get()).isGreaterThan(0);
            assertThat(w.current().cutoff()).isEqualTo(h2);
        }
    }
}
