package dev.tandem.batch.mapreduce;

/**
 * Picks the reduce partition of a map output key from its encoded bytes (the grouping prefix of
 * the key, so all records of one reduce group meet in one partition).
 */
@FunctionalInterface
public interface Partitioner {

    int partition(byte[] key, int off, int len, int numPartitions);
}
