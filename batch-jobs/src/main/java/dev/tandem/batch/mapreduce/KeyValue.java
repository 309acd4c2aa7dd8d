package dev.tandem.batch.mapreduce;

/** A (key, value) pair read back from a record file. */
public record KeyValue<K, V>(K key, V value) {
}
