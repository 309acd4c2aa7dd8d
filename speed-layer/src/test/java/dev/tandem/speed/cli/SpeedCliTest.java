package dev.tandem.speed.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class SpeedCliTest {

    private static String[] captured = new String[2];

    private static int run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            return SpeedCli.run(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
            captured = new String[] {o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
        }
    }

    @Test
    void helpListsTheOptions() {
        assertThat(run("speed", "--help")).isZero();
        assertThat(captured[0]).contains("--bootstrap", "--checkpoint-interval", "--retention-hours",
                "--state-backend", "--checkpoint-dir", "--restore");
    }

    @Test
    void missingBootstrapExitsTwoWithAOneLineReason() {
        assertThat(run("speed")).isEqualTo(2);
        assertThat(captured[1].strip()).contains("--bootstrap").doesNotContain("\n");
    }

    @Test
    void anUnknownStateBackendExitsTwo() {
        assertThat(run("speed", "--bootstrap", "127.0.0.1:1", "--state-backend", "leveldb")).isEqualTo(2);
        assertThat(captured[1]).contains("hashmap or rocksdb");
    }

    @Test
    void aRetentionBelowOneHourExitsTwo() {
        assertThat(run("speed", "--bootstrap", "127.0.0.1:1", "--retention-hours", "0")).isEqualTo(2);
        assertThat(captured[1]).contains("at least one hour");
    }
}
