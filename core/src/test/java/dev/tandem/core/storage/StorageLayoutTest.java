package dev.tandem.core.storage;

import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static dev.tandem.core.testkit.TestEvents.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StorageLayoutTest {

    @TempDir
    java.nio.file.Path dir;

    private StorageLayout layout() {
        return StorageLayout.at(dir.toString());
    }

    private static RunManifest manifest(String runId) {
        return new RunManifest(runId, "spark", "full", "2026-11-20T12:00:00Z", "2026-11-18T00:00:00Z", null,
                Map.of("records", 10L), Map.of("campaign_hourly", 3L), Map.of("total", 1200L),
                Instant.parse("2026-11-20T12:05:00Z").toString());
    }

    @Test
    void masterPathsFollowTheLayout() {
        StorageLayout l = layout();
        assertThat(l.masterHourDir(t("2026-11-20T07:00:00Z")).toString())
                .endsWith("/master/events/ingest_hour=2026-11-20T07");
        assertThat(l.quarantineHourDir(t("2026-11-20T07:00:00Z")).toString())
                .endsWith("/master/quarantine/ingest_hour=2026-11-20T07");
        assertThat(l.root().toUri().getScheme()).isEqualTo("file");
        assertThat(StorageLayout.parseHourDirName("ingest_hour=2026-11-20T07")).contains(t("2026-11-20T07:00:00Z"));
        assertThat(StorageLayout.parseHourDirName("ingest_hour=junk")).isEmpty();
        assertThatThrownBy(() -> l.masterHourDir(t("2026-11-20T07:30:00Z"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void onlyHoursWithSuccessAreCompleteAndAGapStopsTheCutoff() throws IOException {
        StorageLayout l = layout();
        l.markHourComplete(t("2026-11-20T07:00:00Z"));
        l.markHourComplete(t("2026-11-20T08:00:00Z"));
        l.fs().mkdirs(l.masterHourDir(t("2026-11-20T09:00:00Z"))); // written, not yet marked
        l.markHourComplete(t("2026-11-20T10:00:00Z"));
        assertThat(l.completeHours()).containsExactly(t("2026-11-20T07:00:00Z"), t("2026-11-20T08:00:00Z"), t("2026-11-20T10:00:00Z"));
        assertThat(l.cutoff()).contains(t("2026-11-20T09:00:00Z"));
        assertThat(l.isHourComplete(t("2026-11-20T09:00:00Z"))).isFalse();
    }

    @Test
    void masterHourFilesListsDataFilesOnly() throws IOException {
        StorageLayout l = layout();
        long h = t("2026-11-20T07:00:00Z");
        l.fs().create(new Path(l.masterHourDir(h), "part-00001.parquet")).close();
        l.fs().create(new Path(l.masterHourDir(h), "part-00000.parquet")).close();
        l.markHourComplete(h);
        assertThat(l.masterHourFiles(h)).extracting(Path::getName).containsExactly("part-00000.parquet", "part-00001.parquet");
    }

    @Test
    void publishRefusesARunWithoutManifestAndReplacesCurrent() throws IOException {
        StorageLayout l = layout();
        String r1 = "20261120T120000Z-spark-0001";
        String r2 = "20261120T130000Z-spark-0002";
        assertThat(l.readCurrent()).isEmpty();
        l.fs().mkdirs(l.runDir(r1));
        assertThatThrownBy(() -> l.publish(r1)).hasMessageContaining("incomplete");
        assertThat(l.readCurrent()).isEmpty();

        l.writeManifest(manifest(r1));
        l.publish(r1);
        assertThat(l.readCurrent()).contains(r1);
        assertThat(l.readManifest(r1)).isEqualTo(manifest(r1));
        assertThat(l.readManifest(r1).cutoffMillis()).isEqualTo(t("2026-11-20T12:00:00Z"));

        l.writeManifest(manifest(r2));
        l.publish(r2);
        assertThat(l.readCurrent()).contains(r2);
        l.publish(r1); // rollback
        assertThat(l.readCurrent()).contains(r1);
        try (var files = Files.list(dir.resolve("views"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("CURRENT", "runs");
        }
    }

    @Test
    void readersNeverSeeAPartialPointer() throws Exception {
        StorageLayout l = layout();
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String r = "20261120T12000" + i + "Z-spark-000" + i;
            l.writeManifest(manifest(r));
            runs.add(r);
        }
        l.publish(runs.get(0));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            StorageLayout other = StorageLayout.at(dir.toString());
            while (!stop.get()) {
                try {
                    Optional<String> id = other.readCurrent();
                    if (id.isEmpty() || !runs.contains(id.get())) {
                        throw new AssertionError("saw " + id);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    return;
                }
            }
        });
        reader.start();
        for (int i = 0; i < 2_000; i++) {
            l.publish(runs.get(i % runs.size()));
        }
        stop.set(true);
        reader.join();
        assertThat(failure.get()).isNull();
    }

    @Test
    void pruneKeepsTheNewestAndNeverThePublishedRun() throws IOException {
        StorageLayout l = layout();
        List<String> runs = List.of("20261120T100000Z-spark-0001", "20261120T110000Z-spark-0002",
                "20261120T120000Z-spark-0003", "20261120T130000Z-spark-0004");
        for (String r : runs) {
            l.writeManifest(manifest(r));
        }
        l.publish(runs.get(0));
        assertThat(l.pruneRuns(2)).containsExactly(runs.get(1));
        assertThat(l.completeRuns()).containsExactly(runs.get(0), runs.get(2), runs.get(3));
    }

    @Test
    void corruptPointerIsAnErrorNotAnEmptyAnswer() throws IOException {
        StorageLayout l = layout();
        Files.createDirectories(dir.resolve("views"));
        Files.writeString(dir.resolve("views/CURRENT"), "../../etc/passwd");
        assertThatThrownBy(l::readCurrent).hasMessageContaining("not a run id");
    }
}
