package dev.tandem.speed.logic;

import dev.tandem.core.testkit.TestEvents;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.Facts;
import dev.tandem.core.view.RealtimeCodec;
import dev.tandem.core.view.Views;
import dev.tandem.speed.model.ChangelogEntry;
import dev.tandem.speed.model.Contribution;
import dev.tandem.speed.model.PositionedEvent;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.tandem.core.testkit.TestEvents.t;
import static dev.tandem.speed.logic.Fixtures.HOUR;
import static dev.tandem.speed.logic.Fixtures.RETENTION;
import static dev.tandem.speed.logic.Fixtures.at;
import static org.assertj.core.api.Assertions.assertThat;

class ViewAggregatorTest {

    private KeyedOneInputStreamOperatorTestHarness<String, Contribution, ChangelogEntry> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new ViewAggregator(RETENTION, 500), c -> c.key, Types.STRING);
        harness.setProcessingTime(0);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    /** The campaign_hourly contribution of one impression by {@code user}, ingested at 10:05. */
    private Contribution impressionBy(String user, long offset) {
        PositionedEvent e = at(TestEvents.impression("i" + offset, user, "c1", "2026-11-26T10:00:00Z"),
                "2026-11-26T10:05:00Z", 0, offset);
        List<Contribution> out = new ArrayList<>();
        ViewContributions.of(Facts.of(e.toIngestedEvent()), out::add);
        return out.stream().filter(c -> c.view.equals("campaign_hourly")).findFirst().orElseThrow();
    }

    private Aggregate valueOf(ChangelogEntry e) {
        return RealtimeCodec.decodeValue(Views.CAMPAIGN_HOURLY, e.value);
    }

    @Test
    void writesAbsoluteValuesAtMostOncePerInterval() throws Exception {
        harness.processElement(impressionBy("u1", 0), 0);
        harness.processElement(impressionBy("u2", 1), 0);
        harness.setProcessingTime(499);
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.setProcessingTime(500);
        harness.processElement(impressionBy("u1", 2), 0);
        harness.setProcessingTime(1000);
        harness.setProcessingTime(5000); // nothing changed since: nothing written
        List<ChangelogEntry> out = harness.extractOutputValues();
        assertThat(out).hasSize(2);
        RealtimeCodec.RealtimeKey key = RealtimeCodec.decodeKey(out.get(0).key);
        assertThat(key.view()).isEqualTo("campaign_hourly");
        assertThat(key.key().dims()).containsExactly("c1");
        assertThat(key.key().bucketStart()).isEqualTo(t("2026-11-26T10:00:00Z"));
        assertThat(key.tag()).isEqualTo(t("2026-11-26T10:00:00Z"));
        assertThat(valueOf(out.get(0)).value("impressions")).isEqualTo(2);
        assertThat(valueOf(out.get(1)).value("impressions")).isEqualTo(3);
        assertThat(valueOf(out.get(1)).value("unique_users")).isEqualTo(2);
    }

    @Test
    void writesATombstoneAndForgetsTheKeyWhenItsTagLeavesTheRetention() throws Exception {
        harness.processElement(impressionBy("u1", 0), 0);
        harness.setProcessingTime(500);
        long tag = t("2026-11-26T10:00:00Z");
        harness.processWatermark(tag + HOUR + RETENTION - 1);
        assertThat(harness.extractOutputValues()).hasSize(1);
        harness.processWatermark(tag + HOUR + RETENTION);
        List<ChangelogEntry> out = harness.extractOutputValues();
        assertThat(out).hasSize(2);
        assertThat(out.get(1).isTombstone()).isTrue();
        assertThat(out.get(1).key).isEqualTo(out.get(0).key);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void theEndOfABoundedInputFlushesInsteadOfExpiring() throws Exception {
        harness.processElement(impressionBy("u1", 0), 0);
        harness.processWatermark(Long.MAX_VALUE);
        List<ChangelogEntry> out = harness.extractOutputValues();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).isTombstone()).isFalse();
        assertThat(valueOf(out.get(0)).value("impressions")).isEqualTo(1);
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void theOperatorWritesEveryChangedKeyBeforeACheckpointBarrier() throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, Contribution, ChangelogEntry> op = new KeyedOneInputStreamOperatorTestHarness<>(
                new ViewAggregator.Operator(new ViewAggregator(RETENTION, 500)), c -> c.key, Types.STRING);
        try {
            op.open();
            op.setProcessingTime(0);
            op.processElement(impressionBy("u1", 0), 0);
            op.processElement(impressionBy("u2", 1), 0);
            op.setProcessingTime(100);
            op.prepareSnapshotPreBarrier(1); // before the 500 ms emit timer
            List<ChangelogEntry> out = op.extractOutputValues();
            assertThat(out).hasSize(1);
            assertThat(valueOf(out.get(0)).value("impressions")).isEqualTo(2);

            op.setProcessingTime(500); // the emit timer finds nothing new
            op.prepareSnapshotPreBarrier(2);
            assertThat(op.extractOutputValues()).hasSize(1);

            op.processElement(impressionBy("u3", 2), 0);
            op.setProcessingTime(1000); // the emit timer of the new change
            op.prepareSnapshotPreBarrier(3); // already written
            out = op.extractOutputValues();
            assertThat(out).hasSize(2);
            assertThat(valueOf(out.get(1)).value("impressions")).isEqualTo(3);
        } finally {
            op.close();
        }
    }
}
