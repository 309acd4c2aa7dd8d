package dev.tandem.batch.cli;

import dev.tandem.core.storage.StorageLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static dev.tandem.core.testkit.TestEvents.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Argument handling only; real runs go through spark-submit in {@code SparkSubmitBatchTest}. */
class BatchCliTest {

    @TempDir
    Path dir;

    private static int run(StringWriter err, String... args) {
        CommandLine cl = BatchCli.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        return cl.execute(args);
    }

    @Test
    void badArgumentsExitTwoWithAOneLineReason() {
        StringWriter err = new StringWriter();
        assertThat(run(err, "batch", "--mode", "sometimes")).isEqualTo(2);
        assertThat(err.toString()).startsWith("error: --mode must be full or incremental");

        err = new StringWriter();
        assertThat(run(err, "batch", "--engine", "flink")).isEqualTo(2);
        assertThat(err.toString()).contains("--engine must be spark or mapreduce");

        err = new StringWriter();
        assertThat(run(err, "backfill", "--from", "yesterday", "--to", "2026-11-20")).isEqualTo(2);
        assertThat(err.toString()).contains("--from must be YYYY-MM-DD or YYYY-MM-DDTHH");

        err = new StringWriter();
        assertThat(run(err, "batch", "--no-such-option")).isEqualTo(2);
        assertThat(run(new StringWriter())).isEqualTo(2);
    }

    @Test
    void rollbackToAnUnknownRunIsABadArgument() {
        StringWriter err = new StringWriter();
        assertThat(run(err, "publish", "--root", dir.toString(), "--rollback", "20261126T000000Z-spark-0000")).isEqualTo(2);
        assertThat(err.toString()).contains("is not a complete run");
        assertThat(run(new StringWriter(), "publish", "--root", dir.toString(), "--rollback", "latest")).isEqualTo(2);
    }

    @Test
    void backfillRangesAreInclusiveDaysOrHours() {
        CommandLine cl = BatchCli.commandLine();
        assertThat(BatchCli.range(cl, "2026-11-20", "2026-11-21"))
                .containsExactly(t("2026-11-20T00:00:00Z"), t("2026-11-22T00:00:00Z"));
        assertThat(BatchCli.range(cl, "2026-11-20T07", "2026-11-20T07"))
                .containsExactly(t("2026-11-20T07:00:00Z"), t("2026-11-20T08:00:00Z"));
        assertThatThrownBy(() -> BatchCli.range(cl, "2026-11-21", "2026-11-20"))
                .isInstanceOf(CommandLine.ParameterException.class);
    }

    @Test
    void helpWorksOnEveryCommand() {
        for (String cmd : new String[]{"batch", "backfill", "publish", "prune", "archive"}) {
            StringWriter out = new StringWriter();
            CommandLine cl = BatchCli.commandLine();
            cl.setOut(new PrintWriter(out, true));
            assertThat(cl.execute(cmd, "--help")).isZero();
            assertThat(out.toString()).contains("Usage:");
        }
        assertThat(StorageLayout.class).isNotNull();
    }
}
