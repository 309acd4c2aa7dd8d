package dev.tandem.core.view;

import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.testkit.RandomLogs;
import dev.tandem.core.validation.EventValidator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ViewDefinitionTest {

    /** keys() names exactly the rows contribute() emits, in the same order, for every kind of fact. */
    @Test
    void keysAreTheKeysOfTheContributions() {
        List<Fact> facts = new ArrayList<>();
        for (IngestedEvent ie : RandomLogs.generate(11, 2_000, 1_763_596_800_000L)) {
            if (EventValidator.validate(ie.event(), ie.ingestTime()) == null) {
                facts.add(Facts.of(ie));
                facts.add(Facts.attributedClick(ie, ie));
            }
        }
        int contributions = 0;
        for (ViewDefinition v : Views.ALL) {
            for (Fact f : facts) {
                List<ViewKey> fromContribute = new ArrayList<>();
                List<Aggregate> partials = new ArrayList<>();
                v.contribute(f, (k, a) -> {
                    fromContribute.add(k);
                    partials.add(a);
                });
                List<ViewKey> fromKeys = new ArrayList<>();
                v.keys(f, fromKeys::add);
                assertThat(fromKeys).as("%s %s", v.name(), f).isEqualTo(fromContribute);
                assertThat(v.reads(f.kind())).isEqualTo(v.sourceKinds().contains(f.kind()));
                for (Aggregate a : partials) {
                    assertThat(a).isEqualTo(v.zero().add(f));
                }
                contributions += fromKeys.size();
            }
        }
        assertThat(contributions).as("some facts contribute").isGreaterThan(facts.size() / 2);
    }

    /** The keys themselves, written out (the test above only compares keys() with contribute()). */
    @Test
    void keysOfEachView() {
        long t = 1_763_600_000_000L; // 2025-11-20T00:53:20Z
        long hour = 1_763_596_800_000L;
        long day = 1_763_596_800_000L;
        Fact impression = new Fact(FactKind.IMPRESSION, t, hour, "u1", "c7", "eu", null, 0, null);
        Fact order = new Fact(FactKind.ORDER, t, hour, "u1", null, "eu", "EUR", 1999, null);
        Fact orderWithoutRegion = new Fact(FactKind.ORDER, t, hour, "u1", null, null, "EUR", 1999, null);
        Fact search = new Fact(FactKind.SEARCH, t, hour, "u1", null, null, null, 0, "Red red-SHOES");
        assertThat(keys(Views.CAMPAIGN_HOURLY, impression)).containsExactly(new ViewKey(List.of("c7"), hour));
        assertThat(keys(Views.CAMPAIGN_HOURLY, order)).isEmpty();
        assertThat(keys(Views.REGION_REVENUE_HOURLY, order)).containsExactly(new ViewKey(List.of("eu", "EUR"), hour));
        assertThat(keys(Views.REGION_REVENUE_HOURLY, orderWithoutRegion)).isEmpty();
        assertThat(keys(Views.SEARCH_TERMS_DAILY, search)).containsExactly(
                new ViewKey(List.of("red"), day), new ViewKey(List.of("red"), day), new ViewKey(List.of("shoes"), day));
    }

    /** Facts.of from an event's fields is Facts.of of the event. */
    @Test
    void factOfFieldsIsFactOfTheEvent() {
        for (IngestedEvent ie : RandomLogs.generate(12, 500, 1_763_596_800_000L)) {
            if (EventValidator.validate(ie.event(), ie.ingestTime()) == null) {
                var e = ie.event();
                assertThat(Facts.of(e.eventType(), e.eventTime(), ie.tag(), e.userId(), e.campaignId(), e.region(),
                        e.currency(), e.totalMinor(), e.query())).isEqualTo(Facts.of(ie));
            }
        }
    }

    private static List<ViewKey> keys(ViewDefinition v, Fact f) {
        List<ViewKey> out = new ArrayList<>();
        v.keys(f, out::add);
        return out;
    }
}
