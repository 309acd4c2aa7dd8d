package dev.tandem.speed.logic;

import dev.tandem.core.event.Event;
import dev.tandem.core.testkit.TestEvents;
import dev.tandem.speed.model.PositionedEvent;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
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

    private KeyedOneInputStreamOperatorTestHarness<Integer, PositionedEvent, PositionedEvent> harness;

    @BeforeEach
    void open() throws Exception {
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new Dedup(RETENTION), Dedup::keyOf, Types.INT);
        harness.open();
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
    void dropsCopiesWithinTheRetentionAndCountsAgainAfterItsHour() throws Exception {
        send(at(SEARCH, "2026-11-26T10:00:00Z", 0, 1));
        harness.processWatermark(t("2026-11-26T10:00:00Z"));
        send(at(SEARCH, "2026-11-28T10:59:59Z", 0, 2)); // within retention of the end of its ingest hour: a duplicate
        harness.processWatermark(t("2026-11-28T10:59:59Z"));
        assertThat(released()).containsExactly("0:1");

        harness.processWatermark(t("2026-11-28T11:00:00Z") - 1); // the hour 10:00 of Nov 26 is forgotten
        send(at(SEARCH, "2026-11-28T11:00:00Z", 0, 3));
        harness.processWatermark(t("2026-11-28T11:00:00Z"));
        assertThat(released()).containsExactly("0:1", "0:3");
    }

    @Test
    void releasesInLogOrderAcrossIdsAndKeepsWaitingRecordsThroughASnapshot() throws Exception {
        Event other = TestEvents.search("s2", "u2", "blue", "2026-11-26T09:00:00Z");
        send(at(other, "2026-11-26T10:00:02Z", 1, 3));
        send(at(SEARCH, "2026-11-26T10:00:01Z", 0, 8));
        var snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = new KeyedOneInputStreamOperatorTestHarness<>(new Dedup(RETENTION), Dedup::keyOf, Types.INT);
        harness.initializeState(snapshot);
        harness.open();
        send(at(SEARCH, "2026-11-26T10:00:00Z", 2, 4)); // an earlier copy, from another partition
        harness.processWatermark(t("2026-11-26T10:00:05Z"));
        assertThat(released()).containsExactly("2:4", "1:3");
    }

    @Test
    void cleansUpStateAndTimersAfterTheRetention() throws Exception {
        send(at(SEARCH, "2026-11-26T10:30:00Z", 2, 0));
        send(at(SEARCH, "2026-11-26T10:00:00Z", 1, 5));
        send(at(TestEvents.search("s2", "u2", "blue", "2026-11-26T09:00:00Z"), "2026-11-26T10:10:00Z", 0, 0));
        harness.processWatermark(t("2026-11-26T11:00:00Z"));
        // s1 and s2 in the map of (their shard, hour 10:00): one entry, or two if the shards differ
        assertThat(harness.numKeyedStateEntries()).isEqualTo(Shards.of("s1") == Shards.of("s2") ? 1 : 2);
        assertThat(harness.numEventTimeTimers()).isEqualTo(harness.numKeyedStateEntries());
        harness.processWatermark(t("2026-11-26T11:00:00Z") + RETENTION - 1);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(released()).containsExactly("1:5", "0:0");
    }
}
