package dev.tandem.speed.logic;

import dev.tandem.core.view.Fact;
import dev.tandem.core.view.Facts;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.Views;
import dev.tandem.speed.model.Contribution;

import java.util.function.Consumer;

/**
 * Facts into view contributions through core's view definitions ({@link ViewDefinition#contribute}):
 * the speed layer never re-implements a view. One contribution per (view, dims, bucket) the fact
 * touches, tagged with the fact's ingest tag. (The job folds facts with {@link FactCombiner}, which
 * uses the same definitions; this one-fact form serves tests and tools.)
 */
public final class ViewContributions {

    private ViewContributions() {
    }

    public static void of(Fact fact, Consumer<Contribution> out) {
        for (ViewDefinition view : Views.ALL) {
            view.contribute(fact, (key, partial) -> out.accept(Contribution.of(view, key, fact.tag(), partial)));
        }
    }
}
