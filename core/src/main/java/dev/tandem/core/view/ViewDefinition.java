package dev.tandem.core.view;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A view as data (DESIGN §4): dimensions, an event-time granularity and metrics with their
 * monoids. Every engine runs a view the same way: {@link #contribute} maps each fact to
 * (key, partial aggregate) pairs, and partial aggregates with equal keys (and, in the speed layer,
 * equal tags) are combined with {@link Aggregate#merge}.
 */
public record ViewDefinition(String name, List<Dimension> dimensions, Granularity granularity,
                             List<MetricDefinition> metrics) {

    public ViewDefinition {
        dimensions = List.copyOf(dimensions);
        metrics = List.copyOf(metrics);
    }

    /** The fact kinds any metric of this view reads. */
    public Set<FactKind> sourceKinds() {
        Set<FactKind> kinds = EnumSet.noneOf(FactKind.class);
        metrics.forEach(m -> kinds.add(m.source()));
        return kinds;
    }

    public List<String> dimensionNames() {
        return dimensions.stream().map(Dimension::name).toList();
    }

    public int metricIndex(String metric) {
        for (int i = 0; i < metrics.size(); i++) {
            if (metrics.get(i).name().equals(metric)) {
                return i;
            }
        }
        throw new IllegalArgumentException("view " + name + " has no metric '" + metric + "'");
    }

    /** The identity of the monoid product: all counts 0, all sketches empty. */
    public Aggregate zero() {
        return new Aggregate(this);
    }

    /**
     * Emits this fact's contributions: one per combination of dimension values (a query with
     * three terms contributes three times), each a single-fact aggregate. A fact whose kind no
     * metric reads, or that lacks a dimension value, contributes nothing.
     */
    public void contribute(Fact fact, BiConsumer<ViewKey, Aggregate> out) {
        keys(fact, key -> out.accept(key, zero().add(fact)));
    }

    /**
     * The keys of the rows {@link #contribute} would emit for this fact, without building the
     * single-fact aggregates: for engines that fold facts into the aggregates they hold with
     * {@link Aggregate#add} ({@code a ⊕ (zero ⊕ f) = a.add(f)}), so that a row already held costs no
     * aggregate allocation.
     */
    public void keys(Fact fact, Consumer<ViewKey> out) {
        if (!reads(fact.kind())) {
            return;
        }
        long bucket = granularity.bucketStart(fact.eventTime());
        int n = dimensions.size();
        // one value per dimension (every dimension but a terms one): a single key, built directly
        String[] single = new String[n];
        int multi = -1;
        for (int i = 0; i < n; i++) {
            Dimension d = dimensions.get(i);
            if (d.terms()) {
                multi = i;
                break;
            }
            String v = d.field().stringValue(fact);
            if (v == null) {
                return;
            }
            single[i] = v;
        }
        if (multi < 0) {
            out.accept(new ViewKey(List.of(single), bucket));
            return;
        }
        List<List<String>> keys = new ArrayList<>();
        keys.add(List.of());
        for (Dimension d : dimensions) {
            List<String> values = d.values(fact);
            List<List<String>> next = new ArrayList<>(keys.size() * Math.max(1, values.size()));
            for (List<String> prefix : keys) {
                for (String v : values) {
                    List<String> k = new ArrayList<>(prefix.size() + 1);
                    k.addAll(prefix);
                    k.add(v);
                    next.add(k);
                }
            }
            keys = next;
        }
        for (List<String> dims : keys) {
            out.accept(new ViewKey(dims, bucket));
        }
    }

    /** Whether any metric of this view reads facts of this kind (no allocation, unlike {@link #sourceKinds}). */
    public boolean reads(FactKind kind) {
        for (int i = 0; i < metrics.size(); i++) {
            if (metrics.get(i).source() == kind) {
                return true;
            }
        }
        return false;
    }

    /** Convenience for engines that prefer a list. */
    public List<Contribution> contributions(Fact fact) {
        List<Contribution> out = new ArrayList<>(1);
        contribute(fact, (k, a) -> out.add(new Contribution(k, a)));
        return out;
    }

    /** One (key, single-fact aggregate) pair. */
    public record Contribution(ViewKey key, Aggregate aggregate) {
    }
}
