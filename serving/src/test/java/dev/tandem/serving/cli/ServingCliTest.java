package dev.tandem.serving.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ServingCliTest {

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private PrintStream oldErr;
    private PrintStream oldOut;

    @BeforeEach
    void capture() {
        oldErr = System.err;
        oldOut = System.out;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setErr(oldErr);
        System.setOut(oldOut);
    }

    @Test
    void badArgumentsExitTwoWithAOneLineReason() {
        assertThat(ServingCli.run("serve")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--root").hasLineCount(1);
        err.reset();
        assertThat(ServingCli.run("serve", "--root", "x", "--port", "eighty")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--port").hasLineCount(1);
        err.reset();
        assertThat(ServingCli.run("serve", "--root", "x", "--port", "70000")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("0..65535");
        err.reset();
        assertThat(ServingCli.run("nonsense")).isEqualTo(2);
    }

    @Test
    void backendOptionsAreChecked() {
        assertThat(ServingCli.run("serve", "--backend", "druid")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--druid").hasLineCount(1);
        err.reset();
        assertThat(ServingCli.run("serve", "--backend", "cassandra", "--root", "x")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("embedded or druid");
        err.reset();
        assertThat(ServingCli.run("serve", "--root", "x", "--druid", "http://127.0.0.1:1")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--backend druid");
        err.reset();
        assertThat(ServingCli.run("druid-export", "--root", "x")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--druid");
    }

    @Test
    void helpDescribesEveryOption() {
        assertThat(ServingCli.run("serve", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("--root", "--bootstrap", "--port", "--admin-token", "--batch-poll", "--backend", "--druid");
        out.reset();
        assertThat(ServingCli.run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("serve", "druid-export");
    }
}
