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
}
