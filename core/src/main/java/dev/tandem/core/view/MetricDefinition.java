package dev.tandem.core.view;

/**
 * A metric: its name in view rows, its monoid, the kind of fact it counts and, for SUM and
 * DISTINCT, the field it reads.
 */
public record MetricDefinition(String name, MetricKind kind, FactKind source, FactField field) {

    public static MetricDefinition count(String name, FactKind source) {
        return new MetricDefinition(name, MetricKind.COUNT, source, null);
    }

    public static MetricDefinition sum(String name, FactKind source, FactField field) {
        return new MetricDefinition(name, MetricKind.SUM, source, field);
    }

    public static MetricDefinition distinct(String name, FactKind source, FactField field) {
        return new MetricDefinition(name, MetricKind.DISTINCT, source, field);
    }

    /** The column of this metric in batch view Parquet: sketches are named {@code <metric>_sketch}. */
    public String column() {
        return kind == MetricKind.DISTINCT ? name + "_sketch" : name;
    }
}
