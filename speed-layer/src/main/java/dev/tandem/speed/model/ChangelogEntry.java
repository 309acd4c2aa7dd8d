package dev.tandem.speed.model;

import java.nio.charset.StandardCharsets;

/**
 * One record for {@code tandem.realtime-views}: key and value exactly as {@code RealtimeCodec}
 * defines them; a null value is a tombstone.
 */
public class ChangelogEntry implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    public byte[] key;
    public byte[] value;

    public ChangelogEntry() {
    }

    public ChangelogEntry(byte[] key, byte[] value) {
        this.key = key;
        this.value = value;
    }

    public boolean isTombstone() {
        return value == null;
    }

    @Override
    public String toString() {
        return new String(key, StandardCharsets.UTF_8) + (value == null ? " -> tombstone" : " -> " + value.length + " bytes");
    }
}
