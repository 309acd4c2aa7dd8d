package dev.tandem.serving.realtime;

/**
 * The serving layer's view of the speed layer: immutable snapshots of the changelog table, and
 * whether the store has caught up with the changelog (readiness). The Kafka consumer is one
 * implementation; tests of the merge and the API use {@link InMemoryRealtimeStore}.
 */
public interface RealtimeStore extends AutoCloseable {

    /** The latest published snapshot; each query reads exactly one. */
    RealtimeSnapshot snapshot();

    /** True once the store has replayed the changelog up to the end offsets seen at start. */
    boolean ready();

    /** Consumer-side numbers for status and metrics. */
    RealtimeStatus status();

    @Override
    default void close() {
    }
}
