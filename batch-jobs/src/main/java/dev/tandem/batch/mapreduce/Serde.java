package dev.tandem.batch.mapreduce;

/**
 * An explicit serializer: how a key or value travels through sort buffers, spill files, map
 * outputs and intermediate record files. No Java serialization anywhere in the engine.
 */
public interface Serde<T> {

    void write(T value, BinaryWriter out);

    T read(BinaryReader in);
}
