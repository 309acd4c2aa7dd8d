package dev.tandem.batch.mapreduce;

import java.io.IOException;
import java.util.Iterator;

/**
 * The reduce function: called once per key group, in key order, with a values iterator that
 * streams from the merged map outputs (the values are never all in memory; the iterator can be
 * consumed once). Values the reducer leaves unread are skipped.
 */
@FunctionalInterface
public interface Reducer<K, V, KO, VO> {

    default void setup(TaskContext ctx) {
    }

    void reduce(K key, Iterator<V> values, Emitter<KO, VO> out) throws IOException;

    default void cleanup(Emitter<KO, VO> out) throws IOException {
    }
}
