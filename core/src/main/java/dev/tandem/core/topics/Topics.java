package dev.tandem.core.topics;

/**
 * Kafka topic names and the settings that are part of the contract (DESIGN §5). The log's
 * {@code LogAppendTime} is what makes ingest time the broker's clock; the changelog is compacted
 * so that its latest value per key is the speed layer's whole state.
 */
public final class Topics {

    /** Producers' events, keyed by user_id, {@code message.timestamp.type=LogAppendTime}. */
    public static final String EVENTS = "tandem.events";
    /** The speed layer's changelog: absolute aggregates keyed by (view, dims, bucket, tag); compacted. */
    public static final String REALTIME_VIEWS = "tandem.realtime-views";
    /** Records the speed layer rejected, with raw bytes and reason headers. */
    public static final String EVENTS_DLQ = "tandem.events.dlq";

    /** Header names on DLQ records. */
    public static final String DLQ_REASON_HEADER = "tandem.reason";
    public static final String DLQ_DETAIL_HEADER = "tandem.detail";

    private Topics() {
    }
}
