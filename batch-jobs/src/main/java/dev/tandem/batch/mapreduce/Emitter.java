package dev.tandem.batch.mapreduce;

import java.io.IOException;

/** Where a mapper, combiner or reducer sends its (key, value) pairs. */
@FunctionalInterface
public interface Emitter<K, V> {

    void emit(K key, V value) throws IOException;
}
