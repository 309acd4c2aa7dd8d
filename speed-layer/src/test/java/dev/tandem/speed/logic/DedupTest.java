package dev.tandem.speed.logic;

import dev.tandem.core.event.Event;
import dev.tandem.core.testkit.TestEvents;
import dev.tandem.speed.model.PositionedEvent;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.tandem.core.testkit.TestEvents.t;
import static dev.tandem.speed.logic.Fixtures.RETENTION;
import static dev.tandem.speed.logic.Fixtures.at;
import static org.assertj.core.api.Assertions.assertThat;

class DedupTest {

    private static final Event SEARCH = TestEvents.search("s1", "u1", "red shoes", "2026-11-26T09:00:00Z");

    private KeyedOneInputStreamOperatorTestHarness<String, PositionedEvent, PositionedEvent> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new Dedup(RETENTION), e -> e.eventId, Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private void send(PositionedEvent e) throws Exception {
        harness.processElement(e, e.ingestTime);
    }

    private List<String> released() {
        return harness.extractOutputValues().stream().map(e -> e.partition + ":" + e.offset).toList();
    }

    @Test
    void holdsACopyUntilTheWatermarkPassesItsIngestTime() throws Exception {
        send(at(SEARCH, "2026-11-26T10:00:00Z", 0, 7));
        harness.processWatermark(t("2026-11-26T10:00:00Z") - 1);
        assertThat(released()).isEmpty();
        harness.processWatermark(t("2026-11-26T10:00:00Z"));
        assertThat(released()).containsExactly("0:7");
    }

    @Test
    void keepsTheFirstCopyInLogOrderEvenWhenALaterCopyArrivesFirst() throws Exception {
        // partition 2 is read ahead of partition 1: the later copy arrives first
        send(at(SEARCH, "2026-11-26T10:30:00Z", 2, 0));
        send(at(SEARCH, "2026-11-26T10:00:00Z", 1, 5));
        harness.processWatermark(t("2026-11-26T11:00:00Z"));
        assertThat(released()).containsExactly("1:5");
    }

    @Test
    void breaksIngestTimeTiesByPartitionThenOffset() throws Exception {
        send(at(SEARCH, "2026-11-26T10:00:00Z", 3, 1));
        send(at(SEARCH, "2026-11-26T10:00:00Z", 1, 9));
        send(at(SEARCH, "2026-11-26T10:00:00Z", 1, 4));
        harness.processWatermark(t("2026-11-26T10:00:00Z"));
        assertThat(released()).containsExactly("1:4");
    }

    @Test
    void dropsCopiesWithinTheRetentionAndCountsAgainAfterIt() throws Exception {
        send(at(SEARCH, "2026-11-26T10:00:00Z", 0, 1));
        harness.processWatermark(t("2026-11-26T10:00:00Z"));
        send(at(SEARCH, "2026-11-28T09:59:59Z", 0, 2)); // 47:59:59 later: a duplicate
        harness.processWatermark(t("2026-11-28T09:59:59Z"));
        assertThat(released()).containsExactly("0:1");

        harness.processWatermark(t("2026-11-28T10:00:00Z")); // the id is forgotten
        send(at(SEARCH, "2026-11-28T10:00:01Z", 0, 3));
        harness.processWatermark(t("2026-11-28T10:00:01Z"));
        assertThat(released()).containsExactly("0:1", "0:3");
    }

    @Test
    void cleansUpStateAndTimersAfterTheRetention() throws Exception {
        send(at(SEARCH, "2026-11-26T10:30:00Z", 2, 0));
        send(at(SEARCH, "2026-11-26T10:00:00Z", 1, 5));
        send(at(TestEvents.search("s2", "u2", "blue", "2026-11-26T09:00:00Z"), "2026-11-26T10:10:00Z", 0, 0));
        harness.processWatermark(t("2026-11-26T11:00:00Z"));
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2); // the released ingest time of s1 and s2
        harness.processWatermark(t("2026-11-26T10:10:00Z") + RETENTION);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(released()).containsExactly("1:5", "0:0");
    }
}
