package dev.tandem.speed.logic;

import dev.tandem.core.view.Fact;
import dev.tandem.core.view.Facts;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.Views;
import dev.tandem.speed.model.AttributedClick;
import dev.tandem.speed.model.Contribution;
import dev.tandem.speed.model.PositionedEvent;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

import java.util.function.Consumer;

/**
 * Facts into view contributions through core's view definitions ({@link ViewDefinition#contribute}):
 * the speed layer never re-implements a view. One contribution per (view, dims, bucket) the fact
 * touches, tagged with the fact's ingest tag.
 */
public final class ViewContributions {

    private ViewContributions() {
    }

    public static void of(Fact fact, Consumer<Contribution> out) {
        for (ViewDefinition view : Views.ALL) {
            view.contribute(fact, (key, partial) -> out.accept(Contribution.of(view, key, fact.tag(), partial)));
        }
    }

    /** A deduplicated event's own fact. */
    public static class OfEvents implements FlatMapFunction<PositionedEvent, Contribution> {
        private static final long serialVersionUID = 1L;

        @Override
        public void flatMap(PositionedEvent e, Collector<Contribution> out) {
            of(Facts.of(e.toIngestedEvent()), out::collect);
        }
    }

    /** An attributed click's fact (tag = the later of the click's and the impression's tags). */
    public static class OfAttributedClicks implements FlatMapFunction<AttributedClick, Contribution> {
        private static final long serialVersionUID = 1L;

        @Override
        public void flatMap(AttributedClick a, Collector<Contribution> out) {
            of(a.toFact(), out::collect);
        }
    }
}
