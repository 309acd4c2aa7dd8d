package dev.tandem.datasets;

import dev.tandem.core.storage.StorageLayout;
import dev.tandem.datasets.cli.DatasetsCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class CliTest {

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = DatasetsCli.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void generatePrintsASummaryAndWritesCompleteHours() throws Exception {
        Run r = run("generate", "--root", dir.toString(), "--days", "1", "--events-per-day", "5000", "--seed", "7",
                "--end", "2026-11-21T00:00:00Z");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("generated ingest hours 2026-11-20T00 .. 2026-11-20T23 (24 hours)")
                .contains("events", "bad", "duplicates", "late");
        assertThat(StorageLayout.at(dir.toString()).completeHours()).hasSize(24);
    }

    @Test
    void badArgumentsExitTwoWithOneLine() {
        Run r = run("generate", "--days", "-1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().trim().lines()).hasSize(1);
        assertThat(r.err()).contains("--days");
        assertThat(run("generate", "--end", "yesterday").code()).isEqualTo(2);
        assertThat(run("generate", "--bad-rate", "2").code()).isEqualTo(2);
        assertThat(run("produce", "--duration", "forever").code()).isEqualTo(2);
        assertThat(run("nonsense").code()).isEqualTo(2);
        assertThat(run().code()).isEqualTo(2);
    }

    @Test
    void everyCommandHasHelp() {
        for (String cmd : new String[] {"generate", "produce"}) {
            Run r = run(cmd, "--help");
            assertThat(r.code()).isZero();
            assertThat(r.out()).contains("Usage:").contains(cmd);
        }
    }
}
