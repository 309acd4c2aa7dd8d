package dev.tandem.speed.model;

/** A record the speed layer refused: raw bytes, the stable reason code, a detail, and its position. */
public class Rejected implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    public byte[] raw;
    public String reason;
    public String detail;
    public long ingestTime;
    public int partition;
    public long offset;

    public Rejected() {
    }

    public Rejected(byte[] raw, String reason, String detail, long ingestTime, int partition, long offset) {
        this.raw = raw;
        this.reason = reason;
        this.detail = detail;
        this.ingestTime = ingestTime;
        this.partition = partition;
        this.offset = offset;
    }

    @Override
    public String toString() {
        return "Rejected{" + reason + " p" + partition + ":" + offset + " " + detail + "}";
    }
}
