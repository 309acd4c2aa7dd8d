package dev.tandem.batch.mapreduce;

import java.io.Closeable;
import java.io.IOException;

/** Writes a reduce task's output into its attempt directory. */
public interface RecordWriter<K, V> extends Closeable {

    void write(K key, V value) throws IOException;
}
