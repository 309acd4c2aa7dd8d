package dev.tandem.batch.mapreduce;

/** Hash partitioning on the key bytes (a 32-bit FNV-1a with a final avalanche). */
public final class HashPartitioner implements Partitioner {

    public static final HashPartitioner INSTANCE = new HashPartitioner();

    @Override
    public int partition(byte[] key, int off, int len, int numPartitions) {
        return Math.floorMod(hash(key, off, len), numPartitions);
    }

    static int hash(byte[] b, int off, int len) {
        int h = 0x811C9DC5;
        for (int i = off; i < off + len; i++) {
            h ^= b[i];
            h *= 0x01000193;
        }
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        return h;
    }
}
