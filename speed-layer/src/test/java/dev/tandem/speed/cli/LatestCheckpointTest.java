package dev.tandem.speed.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class LatestCheckpointTest {

    private static void checkpoint(Path dir, String job, String chk, String at, boolean complete) throws Exception {
        Path p = Files.createDirectories(dir.resolve(job).resolve(chk));
        if (complete) {
            Files.writeString(p.resolve("_metadata"), "x");
            Files.setLastModifiedTime(p.resolve("_metadata"), FileTime.from(Instant.parse(at)));
        }
    }

    @Test
    void picksTheNewestCompleteCheckpointAcrossJobs(@TempDir Path dir) throws Exception {
        checkpoint(dir, "job-a", "chk-40", "2026-11-26T10:00:00Z", true);
        checkpoint(dir, "job-b", "chk-3", "2026-11-26T11:00:00Z", true);
        checkpoint(dir, "job-b", "chk-4", "2026-11-26T11:00:01Z", false); // interrupted: no _metadata
        Files.createDirectories(dir.resolve("job-b").resolve("shared"));
        assertThat(LatestCheckpoint.find(dir)).contains(dir.resolve("job-b").resolve("chk-3"));
    }

    @Test
    void findsNothingInAnEmptyOrMissingDirectory(@TempDir Path dir) {
        assertThat(LatestCheckpoint.find(dir)).isEmpty();
        assertThat(LatestCheckpoint.find(dir.resolve("missing"))).isEmpty();
    }
}
