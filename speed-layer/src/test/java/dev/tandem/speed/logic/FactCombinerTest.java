package dev.tandem.speed.logic;

import dev.tandem.core.testkit.TestEvents;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.Facts;
import dev.tandem.core.view.Views;
import dev.tandem.speed.model.Contribution;
import dev.tandem.speed.model.PositionedEvent;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.tandem.core.testkit.TestEvents.t;
import static dev.tandem.speed.logic.Fixtures.at;
import static org.assertj.core.api.Assertions.assertThat;

class FactCombinerTest {

    private OneInputStreamOperatorTestHarness<PositionedEvent, Contribution> harness;

    @BeforeEach
    void open() throws Exception {
        harness = new OneInputStreamOperatorTestHarness<>(FactCombiner.ofEvents(1000));
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private List<PositionedEvent> events() {
        List<PositionedEvent> es = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String ingest = i % 3 == 0 ? "2026-11-26T11:10:00Z" : "2026-11-26T10:05:00Z"; // two tags
            es.add(at(TestEvents.impression("i" + i, "u" + (i % 7), "c" + (i % 2), "2026-11-26T10:0" + (i % 10) + ":00Z"),
                    ingest, 0, i));
            es.add(at(TestEvents.order("o" + i, "u" + (i % 5), i % 2 == 0 ? "eu" : "us", 100 + i, "EUR",
                    "2026-11-26T10:30:00Z"), ingest, 1, i));
            es.add(at(TestEvents.search("s" + i, "u" + i, "red shoes " + (i % 4), "2026-11-26T10:00:00Z"), ingest, 2, i));
        }
        return es;
    }

    /** The one-fact contributions of the same events, merged per key with core's monoid. */
    private static Map<String, Aggregate> merged(List<Contribution> cs) {
        Map<String, Aggregate> out = new HashMap<>();
        for (Contribution c : cs) {
            out.merge(c.key, c.toAggregate(), Aggregate::merge);
        }
        return out;
    }

    private List<Contribution> output() {
        List<Contribution> out = new ArrayList<>();
        harness.extractOutputValues().forEach(out::add);
        return out;
    }

    @Test
    void combinesToWhatMergingOneFactContributionsGives() throws Exception {
        List<Contribution> single = new ArrayList<>();
        for (PositionedEvent e : events()) {
            harness.processElement(e, e.ingestTime);
            ViewContributions.of(Facts.of(e.toIngestedEvent()), single::add);
        }
        assertThat(output()).isEmpty(); // held until a watermark
        harness.processWatermark(t("2026-11-26T11:10:00Z"));

        List<Contribution> combined = output();
        Map<String, Aggregate> expected = merged(single);
        assertThat(combined).hasSize(expected.size()); // one contribution per key and tag
        assertThat(merged(combined)).isEqualTo(expected);
        assertThat(combined).anySatisfy(c -> assertThat(c.view).isEqualTo(Views.CAMPAIGN_HOURLY.name()));
        assertThat(combined.stream().map(c -> c.tag).distinct()).hasSize(2);
    }

    @Test
    void flushesBeforeEveryCheckpointBarrier() throws Exception {
        PositionedEvent e = events().get(0);
        harness.processElement(e, e.ingestTime);
        harness.prepareSnapshotPreBarrier(1);
        assertThat(output()).isNotEmpty();
        int n = output().size();
        harness.prepareSnapshotPreBarrier(2); // nothing pending: nothing more
        assertThat(output()).hasSize(n);
    }
}
