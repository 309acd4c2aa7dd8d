package dev.tandem.speed.logic;

import dev.tandem.core.event.Event;
import dev.tandem.core.testkit.TestEvents;
import dev.tandem.speed.model.PositionedEvent;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
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

    /** The state backend of every harness; null: the harness's default, heap ({@link DedupRocksDbTest}: RocksDB). */
    protected StateBackend stateBackend() {
        return null;
    }

    private KeyedOneInputStreamOperatorTestHarness<Integer, PositionedEvent, PositionedEvent> newHarness(
            int maxParallelism, int parallelism, int subtask) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new Dedup(RETENTION), Dedup::keyOf, Types.INT,
                maxParallelism, parallelism, subtask);
        if (stateBackend() != null) {
            h.setStateBackend(stateBackend());
        }
        return h;
    }

    private KeyedOneInputStreamOperatorTestHarness<Integer, PositionedEvent, PositionedEvent> newHarness() throws Exception {
        return newHarness(1, 1, 0);
    }

    /** (shard, namespace) entries of the operator's keyed states: "seen" maps, held batches, stored watermarks. */
    protected int keyedStateEntries() throws Exception {
        var backend = dedup().<Integer>getKeyedStateBackend();
        int n = 0;
        for (String state : List.of("seen", LogOrderedOperator.HELD_STATE, LogOrderedOperator.RELEASED_THROUGH)) {
            try (var entries = backend.getKeysAndNamespaces(state)) {
                n += (int) entries.count();
            }
        }
        if (stateBackend() == null) {
            assertThat(n).isEqualTo(harness.numKeyedStateEntries()); // no other state holds anything
        }
        return n;
    }

    @BeforeEach
    void open() throws Exception {
        harness = newHarness();
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
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

        harness = newHarness();
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
        assertThat(keyedStateEntries()).isEqualTo(Shards.of("s1") == Shards.of("s2") ? 1 : 2);
        assertThat(harness.numEventTimeTimers()).isEqualTo(keyedStateEntries());
        harness.processWatermark(t("2026-11-26T11:00:00Z") + RETENTION - 1);
        assertThat(keyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(released()).containsExactly("1:5", "0:0");
    }

    protected final KeyedOneInputStreamOperatorTestHarness<Integer, PositionedEvent, PositionedEvent> harness() {
        return harness;
    }

    private Dedup dedup() {
        return (Dedup) harness.getOperator();
    }

    private KeyedOneInputStreamOperatorTestHarness<Integer, PositionedEvent, PositionedEvent> restored(
            OperatorSubtaskState snapshot) throws Exception {
        var h = newHarness();
        h.initializeState(snapshot);
        h.open();
        return h;
    }

    /** An event id in the same shard as {@code id}. */
    private static String inShardOf(String id) {
        return java.util.stream.IntStream.range(0, 100_000).mapToObj(i -> "x" + i)
                .filter(x -> Shards.of(x) == Shards.of(id)).findFirst().orElseThrow();
    }

    /** An event id in another shard than {@code id}. */
    private static String notInShardOf(String id) {
        return java.util.stream.IntStream.range(0, 100_000).mapToObj(i -> "y" + i)
                .filter(x -> Shards.of(x) != Shards.of(id)).findFirst().orElseThrow();
    }

    @Test
    void writesAWaitingRecordToStateOnceAtACheckpointAndDropsItsBatchOnceReleased() throws Exception {
        Event other = TestEvents.search(notInShardOf("s1"), "u2", "blue", "2026-11-26T09:00:00Z");
        send(at(SEARCH, "2026-11-26T10:00:01Z", 0, 1));
        harness.processWatermark(t("2026-11-26T10:00:01Z")); // released before any checkpoint: never written
        harness.snapshot(1, 1);
        assertThat(dedup().heldCount()).isZero();
        send(at(other, "2026-11-26T10:00:02Z", 1, 3));
        send(at(SEARCH, "2026-11-26T10:00:03Z", 0, 2));
        harness.snapshot(2, 2);
        assertThat(dedup().heldCount()).isEqualTo(2);
        assertThat(dedup().heldBatchCount()).isEqualTo(2); // one per shard
        send(at(TestEvents.search("s3", "u3", "green", "2026-11-26T09:00:00Z"), "2026-11-26T10:00:04Z", 2, 0));
        harness.processWatermark(t("2026-11-26T10:00:02Z")); // the other id's record released: its batch goes at the next checkpoint
        assertThat(dedup().heldCount()).isEqualTo(2);
        var third = harness.snapshot(3, 3);
        assertThat(dedup().heldCount()).isEqualTo(2); // the copy of s1 (written at checkpoint 2) and s3 (new), once each
        harness.processWatermark(t("2026-11-26T10:00:05Z"));
        harness.snapshot(4, 4);
        assertThat(dedup().heldCount()).isZero();
        assertThat(dedup().heldBatchCount()).isZero();
        assertThat(dedup().waitingCount()).isZero();
        assertThat(released()).containsExactly("0:1", "1:3", "2:0");

        // the third checkpoint holds exactly the records still waiting then
        harness.close();
        harness = restored(third);
        assertThat(dedup().waitingCount()).isEqualTo(2);
        harness.processWatermark(t("2026-11-26T10:00:05Z"));
        assertThat(released()).containsExactly("2:0"); // s1's copy is a duplicate of the released 0:1
        harness.snapshot(5, 5);
        assertThat(dedup().heldCount()).isZero();
    }

    @Test
    void aRestoreTakesBackOnlyTheRecordsOfABatchThatWereStillWaiting() throws Exception {
        Event sameShard = TestEvents.search(inShardOf("s1"), "u2", "blue", "2026-11-26T09:00:00Z");
        send(at(sameShard, "2026-11-26T10:00:01Z", 0, 5));
        send(at(SEARCH, "2026-11-26T10:00:03Z", 1, 6));
        harness.snapshot(1, 1);
        assertThat(dedup().heldBatchCount()).isEqualTo(1); // both in one batch
        harness.processWatermark(t("2026-11-26T10:00:01Z")); // the first released, the batch still holds it
        var second = harness.snapshot(2, 2);
        assertThat(dedup().heldCount()).isEqualTo(2);
        harness.close();

        harness = restored(second);
        assertThat(dedup().waitingCount()).isEqualTo(1); // not the released one again
        assertThat(dedup().heldCount()).isEqualTo(1); // the batch was rewritten without it
        // a new record of the same shard goes to a new batch next to the restored one
        send(at(TestEvents.search("s1b", "u3", "green", "2026-11-26T09:00:00Z").toBuilder().eventId("s1").build(),
                "2026-11-26T10:00:02Z", 2, 1));
        var third = harness.snapshot(3, 3);
        assertThat(dedup().heldBatchCount()).isEqualTo(2);
        harness.processWatermark(t("2026-11-26T10:00:05Z"));
        assertThat(released()).containsExactly("2:1"); // the earlier copy of s1 in log order
        harness.snapshot(4, 4);
        assertThat(dedup().heldBatchCount()).isZero();
        // only the seen ids are left: no batch, no stored watermark
        assertThat(keyedStateEntries()).isEqualTo(1); // one map: both ids share the shard and the hour

        // and a restore of the third checkpoint takes back both waiting records, not the released one
        harness.close();
        harness = restored(third);
        assertThat(dedup().waitingCount()).isEqualTo(2);
        harness.processWatermark(t("2026-11-26T10:00:05Z"));
        assertThat(released()).containsExactly("2:1");
    }

    @Test
    void heldRecordsFollowTheirShardWhenRestoredAtAnotherParallelism() throws Exception {
        harness.close(); // key groups as in a job (max parallelism 128), one subtask
        harness = newHarness(128, 1, 0);
        harness.open();
        List<PositionedEvent> events = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            events.add(at(TestEvents.search("id" + i, "u", "q", "2026-11-26T09:00:00Z"), "2026-11-26T10:00:00Z", i % 4, 100 - i));
        }
        events.forEach(e -> { try { send(e); } catch (Exception x) { throw new RuntimeException(x); } });
        var snapshot = harness.snapshot(1, 1);
        harness.close();
        harness = null;

        List<String> all = new java.util.ArrayList<>();
        for (int subtask = 0; subtask < 2; subtask++) {
            var state = AbstractStreamOperatorTestHarness.repartitionOperatorState(snapshot, 128, 1, 2, subtask);
            try (var h = newHarness(128, 2, subtask)) {
                h.initializeState(state);
                h.open();
                h.processWatermark(t("2026-11-26T10:00:00Z"));
                List<PositionedEvent> out = h.extractOutputValues();
                assertThat(out).isSortedAccordingTo(PositionedEvent.LOG_ORDER);
                assertThat(out).isNotEmpty();
                out.forEach(e -> all.add(e.eventId));
                h.snapshot(2, 2);
                assertThat(((Dedup) h.getOperator()).heldBatchCount()).isZero();
            }
        }
        assertThat(all).containsExactlyInAnyOrderElementsOf(events.stream().map(e -> e.eventId).toList());
    }

    @Test
    void restoresTheWaitingRecordsOfASnapshotFromBeforeTheHeldState() throws Exception {
        // the layout before 2026-11-27: every waiting record rewritten to a list per shard
        var backend = dedup().<Integer>getKeyedStateBackend();
        ListState<PositionedEvent> legacy = backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                new ListStateDescriptor<>(LogOrderedOperator.LEGACY_WAITING_STATE, TypeInformation.of(PositionedEvent.class)));
        PositionedEvent later = at(SEARCH, "2026-11-26T10:00:02Z", 1, 3);
        PositionedEvent other = at(TestEvents.search("s2", "u2", "blue", "2026-11-26T09:00:00Z"), "2026-11-26T10:00:01Z", 0, 9);
        for (PositionedEvent e : List.of(later, other)) {
            backend.setCurrentKey(Dedup.keyOf(e));
            legacy.add(e);
        }
        var snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = restored(snapshot);
        assertThat(dedup().waitingCount()).isEqualTo(2);
        harness.snapshot(2, 2);
        assertThat(dedup().heldCount()).isEqualTo(2); // moved to held batches
        send(at(SEARCH, "2026-11-26T10:00:00Z", 2, 4));
        harness.processWatermark(t("2026-11-26T10:00:05Z"));
        assertThat(released()).containsExactly("2:4", "0:9");
        harness.snapshot(3, 3);
        assertThat(dedup().heldCount()).isZero();
        assertThat(keyedStateEntries()).isEqualTo(Shards.of("s1") == Shards.of("s2") ? 1 : 2); // only the seen ids
    }
}
