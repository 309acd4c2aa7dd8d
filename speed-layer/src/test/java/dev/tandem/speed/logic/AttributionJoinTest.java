package dev.tandem.speed.logic;

import dev.tandem.core.event.Event;
import dev.tandem.core.testkit.TestEvents;
import dev.tandem.core.view.Fact;
import dev.tandem.core.view.FactKind;
import dev.tandem.speed.model.AttributedClick;
import dev.tandem.speed.model.PositionedEvent;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.tandem.core.testkit.TestEvents.t;
import static dev.tandem.speed.logic.Fixtures.RETENTION;
import static dev.tandem.speed.logic.Fixtures.at;
import static org.assertj.core.api.Assertions.assertThat;

class AttributionJoinTest {

    private KeyedTwoInputStreamOperatorTestHarness<Integer, PositionedEvent, PositionedEvent, AttributedClick> harness;

    @BeforeEach
    void open() throws Exception {
        harness = new KeyedTwoInputStreamOperatorTestHarness<>(
                new AttributionJoin(RETENTION), AttributionJoin::keyOf, AttributionJoin::keyOf, Types.INT);
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private void impression(PositionedEvent e) throws Exception {
        harness.processElement1(e, e.ingestTime);
    }

    private void click(PositionedEvent e) throws Exception {
        harness.processElement2(e, e.ingestTime);
    }

    private void watermark(String iso) throws Exception {
        harness.processWatermark1(new org.apache.flink.streaming.api.watermark.Watermark(t(iso)));
        harness.processWatermark2(new org.apache.flink.streaming.api.watermark.Watermark(t(iso)));
    }

    private List<String> attributions() {
        return harness.extractOutputValues().stream()
                .map(a -> a.clickEventId + "->" + a.impressionEventId + "/" + a.impressionCampaign).toList();
    }

    private static Event imp(String id, String eventId, String campaign, String time) {
        return TestEvents.impression(id, "u1", campaign, time).toBuilder().eventId(eventId).build();
    }

    @Test
    void attributesAClickThatArrivesBeforeItsImpression() throws Exception {
        click(at(TestEvents.click("k1", "i1", "u2", "c9", "2026-11-26T10:20:00Z"), "2026-11-26T10:20:01Z", 0, 0));
        watermark("2026-11-26T10:30:00Z");
        assertThat(attributions()).isEmpty();
        impression(at(imp("i1", "e-i1", "c1", "2026-11-26T10:00:00Z"), "2026-11-26T11:05:00Z", 1, 0));
        watermark("2026-11-26T11:05:00Z");
        assertThat(attributions()).containsExactly("k1->e-i1/c1");
    }

    @Test
    void theFirstMatchingImpressionInLogOrderWinsWhenTheyArriveOutOfOrder() throws Exception {
        impression(at(imp("i1", "late", "cB", "2026-11-26T10:00:00Z"), "2026-11-26T10:00:05Z", 3, 0));
        impression(at(imp("i1", "early", "cA", "2026-11-26T10:00:00Z"), "2026-11-26T10:00:05Z", 1, 0));
        click(at(TestEvents.click("k1", "i1", "u2", "cX", "2026-11-26T10:10:00Z"), "2026-11-26T10:10:00Z", 0, 0));
        watermark("2026-11-26T10:10:00Z");
        assertThat(attributions()).containsExactly("k1->early/cA");
    }

    @Test
    void aClickIsAttributedOnlyInsideTheInclusiveWindow() throws Exception {
        impression(at(imp("i1", "e-i1", "c1", "2026-11-26T10:00:00Z"), "2026-11-26T10:00:00Z", 0, 0));
        click(at(TestEvents.click("atEnd", "i1", "u2", "c1", "2026-11-26T11:00:00Z"), "2026-11-26T11:00:00Z", 0, 1));
        click(at(TestEvents.click("pastEnd", "i1", "u2", "c1", "2026-11-26T11:00:00.001Z"), "2026-11-26T11:00:00Z", 0, 2));
        click(at(TestEvents.click("atStart", "i1", "u2", "c1", "2026-11-26T10:00:00Z"), "2026-11-26T11:00:00Z", 0, 3));
        click(at(TestEvents.click("before", "i1", "u2", "c1", "2026-11-26T09:59:59.999Z"), "2026-11-26T11:00:00Z", 0, 4));
        watermark("2026-11-26T12:00:00Z");
        assertThat(attributions()).containsExactly("atEnd->e-i1/c1", "atStart->e-i1/c1");
    }

    @Test
    void theAttributedClickCarriesTheLaterTagAndTheImpressionsCampaign() throws Exception {
        impression(at(imp("i1", "e-i1", "c1", "2026-11-26T10:00:00Z"), "2026-11-26T13:30:00Z", 0, 0));
        click(at(TestEvents.click("k1", "i1", "u2", "c7", "2026-11-26T10:30:00Z"), "2026-11-26T10:31:00Z", 1, 0));
        watermark("2026-11-26T14:00:00Z");
        Fact f = harness.extractOutputValues().get(0).toFact();
        assertThat(f.kind()).isEqualTo(FactKind.ATTRIBUTED_CLICK);
        assertThat(f.campaignId()).isEqualTo("c1");
        assertThat(f.tag()).isEqualTo(t("2026-11-26T13:00:00Z"));
        assertThat(f.eventTime()).isEqualTo(t("2026-11-26T10:30:00Z"));
    }

    @Test
    void aClickCountsOnceEvenWhenSeveralImpressionsMatch() throws Exception {
        click(at(TestEvents.click("k1", "i1", "u2", "c1", "2026-11-26T10:30:00Z"), "2026-11-26T10:31:00Z", 1, 0));
        impression(at(imp("i1", "a", "c1", "2026-11-26T10:00:00Z"), "2026-11-26T10:40:00Z", 0, 0));
        impression(at(imp("i1", "b", "c2", "2026-11-26T10:00:00Z"), "2026-11-26T10:50:00Z", 0, 1));
        watermark("2026-11-26T11:00:00Z");
        assertThat(attributions()).containsExactly("k1->a/c1");
    }

    @Test
    void forgetsImpressionsAndWaitingClicksAfterTheRetention() throws Exception {
        impression(at(imp("i1", "e-i1", "c1", "2026-11-26T10:00:00Z"), "2026-11-26T10:00:00Z", 0, 0));
        click(at(TestEvents.click("orphan", "i2", "u2", "c1", "2026-11-26T10:30:00Z"), "2026-11-26T10:31:00Z", 1, 0));
        watermark("2026-11-26T11:00:00Z");
        // the impression (shard of i1, hour 10:00) and the waiting click (shard of i2, hour 10:00)
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
        assertThat(harness.numEventTimeTimers()).isEqualTo(Shards.of("i1") == Shards.of("i2") ? 1 : 2);
        // a click within the retention of the end of the impression's ingest hour still finds it
        click(at(TestEvents.click("inTime", "i1", "u2", "c1", "2026-11-26T10:30:00Z"), "2026-11-28T10:59:00Z", 1, 1));
        watermark("2026-11-28T10:59:00Z");
        assertThat(attributions()).containsExactly("inTime->e-i1/c1");
        watermark("2026-11-28T11:00:00Z");
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        // a click after the retention no longer finds the impression (the next batch run will)
        click(at(TestEvents.click("tooLate", "i1", "u2", "c1", "2026-11-26T10:30:00Z"), "2026-11-28T11:00:01Z", 1, 2));
        watermark("2026-11-28T11:00:01Z");
        assertThat(attributions()).containsExactly("inTime->e-i1/c1");
    }

    @Test
    void recordsWaitingAtACheckpointSurviveARestoreAndLeaveNoStateOnceReleased() throws Exception {
        click(at(TestEvents.click("k1", "i1", "u2", "c9", "2026-11-26T10:20:00Z"), "2026-11-26T10:20:02Z", 0, 0));
        impression(at(imp("i1", "e-i1", "c1", "2026-11-26T10:00:00Z"), "2026-11-26T10:20:01Z", 1, 0));
        var snapshot = harness.snapshot(1, 1);
        assertThat(((AttributionJoin) harness.getOperator()).heldCount()).isEqualTo(2);
        harness.close();

        harness = new KeyedTwoInputStreamOperatorTestHarness<>(
                new AttributionJoin(RETENTION), AttributionJoin::keyOf, AttributionJoin::keyOf, Types.INT);
        harness.initializeState(snapshot);
        harness.open();
        watermark("2026-11-26T10:30:00Z");
        assertThat(attributions()).containsExactly("k1->e-i1/c1"); // the impression is first in log order
        harness.snapshot(2, 2);
        assertThat(((AttributionJoin) harness.getOperator()).heldCount()).isZero();
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1); // only the impression, for the retention
    }
}
