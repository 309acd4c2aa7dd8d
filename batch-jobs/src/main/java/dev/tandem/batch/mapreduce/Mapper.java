package dev.tandem.batch.mapreduce;

import java.io.IOException;

/**
 * The map function: one input record in, any number of (key, value) pairs out. A job gets a
 * fresh instance per task attempt (from a supplier), so instances may keep per-task state.
 */
@FunctionalInterface
public interface Mapper<I, K, V> {

    /** Called once per task attempt before the first record. */
    default void setup(TaskContext ctx) {
    }

    void map(I record, Emitter<K, V> out) throws IOException;

    /** Called once per task attempt after the last record; may still emit. */
    default void cleanup(Emitter<K, V> out) throws IOException {
    }
}
