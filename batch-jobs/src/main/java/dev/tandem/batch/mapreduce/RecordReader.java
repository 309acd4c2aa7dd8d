package dev.tandem.batch.mapreduce;

import java.io.Closeable;
import java.io.IOException;

/** Iterates the records of one split. */
public interface RecordReader<I> extends Closeable {

    /** Advances; false at the end of the split. */
    boolean next() throws IOException;

    I current();
}
