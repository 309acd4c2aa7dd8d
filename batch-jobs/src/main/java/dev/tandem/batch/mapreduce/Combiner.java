package dev.tandem.batch.mapreduce;

import java.io.IOException;
import java.util.Iterator;

/**
 * A map-side reducer, applied to each sorted run when it spills and again when spills merge: it
 * must emit values of the same key (the engine checks) and be safe to apply zero, one or many
 * times (an associative, commutative fold).
 */
@FunctionalInterface
public interface Combiner<K, V> {

    void combine(K key, Iterator<V> values, Emitter<K, V> out) throws IOException;
}
