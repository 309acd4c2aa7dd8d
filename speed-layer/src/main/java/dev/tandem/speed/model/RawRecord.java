package dev.tandem.speed.model;

import dev.tandem.core.event.LogRecord;

/**
 * One record of {@code tandem.events} as the source hands it over: the raw value bytes and the
 * record's position (ingest time = the broker's LogAppendTime, partition, offset). A Flink POJO.
 */
public class RawRecord implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    public byte[] value;
    public long ingestTime;
    public int partition;
    public long offset;

    public RawRecord() {
    }

    public RawRecord(byte[] value, long ingestTime, int partition, long offset) {
        this.value = value;
        this.ingestTime = ingestTime;
        this.partition = partition;
        this.offset = offset;
    }

    public static RawRecord of(LogRecord r) {
        return new RawRecord(r.value(), r.ingestTime(), r.partition(), r.offset());
    }

    public LogRecord toLogRecord() {
        return new LogRecord(value, ingestTime, partition, offset);
    }

    @Override
    public String toString() {
        return "RawRecord{p" + partition + "@" + offset + ", ingest=" + ingestTime + ", "
                + (value == null ? "null" : value.length + " bytes") + "}";
    }
}
