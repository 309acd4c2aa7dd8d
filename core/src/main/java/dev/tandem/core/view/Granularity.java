package dev.tandem.core.view;

import dev.tandem.core.time.IngestTags;

/** Event-time buckets, UTC. */
public enum Granularity {
    HOUR(IngestTags.HOUR_MS),
    DAY(IngestTags.DAY_MS);

    private final long millis;

    Granularity(long millis) {
        this.millis = millis;
    }

    public long millis() {
        return millis;
    }

    public long bucketStart(long eventTime) {
        return Math.floorDiv(eventTime, millis) * millis;
    }

    public boolean isBucketStart(long t) {
        return Math.floorMod(t, millis) == 0;
    }
}
