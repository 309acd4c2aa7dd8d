package dev.tandem.batch.mapreduce;

/**
 * A serializer for map output keys whose bytes sort like the keys: the engine sorts, merges and
 * groups on raw bytes (unsigned lexicographic order) and never deserializes a key to compare it.
 *
 * <p>{@link #groupLength} supports secondary sort: the reducer is called once per run of keys
 * whose first {@code groupLength} bytes are equal, and the partitioner only sees that prefix.
 * By default the whole key groups.
 */
public interface KeyCodec<K> extends Serde<K> {

    default int groupLength(byte[] key, int off, int len) {
        return len;
    }
}
