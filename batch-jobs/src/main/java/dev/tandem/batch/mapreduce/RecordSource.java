package dev.tandem.batch.mapreduce;

import java.io.Closeable;
import java.io.IOException;

/**
 * A stream of serialized records in key order: a sort buffer partition, a run segment on disk, or
 * a k-way merge of such. The current record's bytes are valid until the next {@link #next()}.
 */
interface RecordSource extends Closeable {

    boolean next() throws IOException;

    byte[] keyBuf();

    int keyOff();

    int keyLen();

    byte[] valBuf();

    int valOff();

    int valLen();

    @Override
    default void close() throws IOException {
    }
}
