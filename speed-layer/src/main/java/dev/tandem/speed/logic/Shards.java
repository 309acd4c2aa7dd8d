package dev.tandem.speed.logic;

import dev.tandem.core.time.IngestTags;

/**
 * The keys of dedup and join state: a string id (event_id, impression_id) maps to one of
 * {@link #COUNT} shards, and each shard keeps one map per ingest hour (README "State"). Shards, not
 * ids, are Flink's keys, so state and timers scale with shards × hours instead of with records.
 */
public final class Shards {

    /** Number of shards. Also the most useful parallelism of dedup and join. */
    public static final int COUNT = 128;

    private Shards() {
    }

    /** The shard of an id: deterministic across JVMs ({@link String#hashCode} is specified). */
    public static int of(String id) {
        int h = id.hashCode() * 0x9E3779B9; // Fibonacci hashing: the top bits mix all of hashCode
        return h >>> (32 - Integer.numberOfTrailingZeros(COUNT));
    }

    /** The start of the ingest hour holding {@code ingestTime}: the bucket a record's state lives in. */
    public static long hourOf(long ingestTime) {
        return IngestTags.tagOf(ingestTime);
    }

    /** When a bucket's state is dropped: once the watermark passes its last ingest time + retention. */
    public static long expiryOf(long hour, long retentionMs) {
        return hour + IngestTags.HOUR_MS + retentionMs - 1;
    }
}
