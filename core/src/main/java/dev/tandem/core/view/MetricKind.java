package dev.tandem.core.view;

/**
 * The monoid of a metric. COUNT and SUM are longs under addition (zero 0); DISTINCT is a
 * HyperLogLog sketch under union (zero the empty sketch), see {@link Hll}.
 */
public enum MetricKind {
    COUNT,
    SUM,
    DISTINCT
}
