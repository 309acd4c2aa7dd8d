package dev.tandem.speed;

import dev.tandem.core.time.IngestTags;
import dev.tandem.core.topics.Topics;

import java.io.Serializable;
import java.time.Duration;

/**
 * Every setting of the speed layer in one place, with its default and why. Immutable; the
 * {@code with*} methods return modified copies.
 */
public final class SpeedConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    /** How far back (in ingest time) dedup and the join remember records, and which tags are kept (DESIGN §3). */
    private long retentionMs;
    /** A changelog key is written at most once per this interval: absolute values, so skipping is safe. */
    private long emitIntervalMs;
    /** Checkpoint interval: also the commit interval of the transactional sink, so it bounds freshness. */
    private long checkpointIntervalMs;
    /**
     * A partition with no record for this long lets the watermark follow the wall clock (minus this
     * delay): with LogAppendTime, a future record cannot be older. Must exceed broker↔Flink clock
     * skew plus fetch latency; see README "Ordering".
     */
    private long idleWatermarkDelayMs;
    /**
     * A partition silent this long lets the watermark follow the wall clock even if its last record
     * was old (it may have been catching up) or it never had one. Longer than any fetch stall.
     */
    private long idleWatermarkGraceMs;
    /** Periodic watermark emission; dedup and join release records when the watermark passes them. */
    private long watermarkIntervalMs;
    private String stateBackend;
    private String checkpointDir;
    /**
     * Flink's changelog state backend on top of {@link #stateBackend}: each checkpoint uploads only
     * the state changes since the last one (plus a full materialization every
     * {@link #materializationIntervalMs}), instead of a full copy of the heap state every checkpoint.
     */
    private boolean stateChangelog;
    private long materializationIntervalMs;
    private int restartAttempts;
    private String eventsTopic;
    private String viewsTopic;
    private String dlqTopic;
    private String transactionalIdPrefix;
    private String consumerGroup;

    private SpeedConfig() {
    }

    private SpeedConfig validated() {
        if (retentionMs < IngestTags.HOUR_MS) {
            throw new IllegalArgumentException("retention must be at least one hour, was " + retentionMs + " ms");
        }
        if (emitIntervalMs <= 0 || checkpointIntervalMs <= 0 || idleWatermarkDelayMs <= 0 || watermarkIntervalMs <= 0
                || materializationIntervalMs <= 0) {
            throw new IllegalArgumentException("intervals must be positive");
        }
        if (!stateBackend.equals("hashmap") && !stateBackend.equals("rocksdb")) {
            throw new IllegalArgumentException("state backend must be hashmap or rocksdb, was " + stateBackend);
        }
        idleWatermarkGraceMs = Math.max(idleWatermarkGraceMs, idleWatermarkDelayMs);
        return this;
    }

    private SpeedConfig copy() {
        SpeedConfig c = new SpeedConfig();
        c.retentionMs = retentionMs;
        c.emitIntervalMs = emitIntervalMs;
        c.checkpointIntervalMs = checkpointIntervalMs;
        c.idleWatermarkDelayMs = idleWatermarkDelayMs;
        c.idleWatermarkGraceMs = idleWatermarkGraceMs;
        c.watermarkIntervalMs = watermarkIntervalMs;
        c.stateBackend = stateBackend;
        c.checkpointDir = checkpointDir;
        c.stateChangelog = stateChangelog;
        c.materializationIntervalMs = materializationIntervalMs;
        c.restartAttempts = restartAttempts;
        c.eventsTopic = eventsTopic;
        c.viewsTopic = viewsTopic;
        c.dlqTopic = dlqTopic;
        c.transactionalIdPrefix = transactionalIdPrefix;
        c.consumerGroup = consumerGroup;
        return c;
    }

    public static SpeedConfig defaults() {
        SpeedConfig c = new SpeedConfig();
        c.retentionMs = Duration.ofHours(48).toMillis();
        c.emitIntervalMs = 500;
        c.checkpointIntervalMs = 1000;
        c.idleWatermarkDelayMs = 2000;
        c.idleWatermarkGraceMs = 15_000;
        c.watermarkIntervalMs = 100;
        c.stateBackend = "hashmap";
        c.checkpointDir = null;
        c.stateChangelog = false;
        c.materializationIntervalMs = Duration.ofMinutes(10).toMillis();
        c.restartAttempts = 10;
        c.eventsTopic = Topics.EVENTS;
        c.viewsTopic = Topics.REALTIME_VIEWS;
        c.dlqTopic = Topics.EVENTS_DLQ;
        c.transactionalIdPrefix = "tandem-speed";
        c.consumerGroup = "tandem-speed";
        return c.validated();
    }

    public long retentionMs() { return retentionMs; }
    public long emitIntervalMs() { return emitIntervalMs; }
    public long checkpointIntervalMs() { return checkpointIntervalMs; }
    public long idleWatermarkDelayMs() { return idleWatermarkDelayMs; }
    public long idleWatermarkGraceMs() { return idleWatermarkGraceMs; }
    public long watermarkIntervalMs() { return watermarkIntervalMs; }
    public String stateBackend() { return stateBackend; }
    public String checkpointDir() { return checkpointDir; }
    public int restartAttempts() { return restartAttempts; }
    public String eventsTopic() { return eventsTopic; }
    public String viewsTopic() { return viewsTopic; }
    public String dlqTopic() { return dlqTopic; }
    public String transactionalIdPrefix() { return transactionalIdPrefix; }
    public String consumerGroup() { return consumerGroup; }

    public boolean stateChangelog() { return stateChangelog; }
    public long materializationIntervalMs() { return materializationIntervalMs; }

    public SpeedConfig withRetentionMs(long v) {
        SpeedConfig c = copy();
        c.retentionMs = v;
        return c.validated();
    }

    public SpeedConfig withEmitIntervalMs(long v) {
        SpeedConfig c = copy();
        c.emitIntervalMs = v;
        return c.validated();
    }

    public SpeedConfig withCheckpointIntervalMs(long v) {
        SpeedConfig c = copy();
        c.checkpointIntervalMs = v;
        return c.validated();
    }

    public SpeedConfig withIdleWatermarkDelayMs(long v) {
        SpeedConfig c = copy();
        c.idleWatermarkDelayMs = v;
        return c.validated();
    }

    public SpeedConfig withIdleWatermarkGraceMs(long v) {
        SpeedConfig c = copy();
        c.idleWatermarkGraceMs = v;
        return c.validated();
    }

    public SpeedConfig withStateBackend(String backend, String dir) {
        SpeedConfig c = copy();
        c.stateBackend = backend;
        c.checkpointDir = dir;
        return c.validated();
    }

    /** The changelog state backend on or off, and how often it materializes a full snapshot. */
    public SpeedConfig withStateChangelog(boolean enabled, long materializationIntervalMs) {
        SpeedConfig c = copy();
        c.stateChangelog = enabled;
        c.materializationIntervalMs = materializationIntervalMs;
        return c.validated();
    }

    public SpeedConfig withRestartAttempts(int v) {
        SpeedConfig c = copy();
        c.restartAttempts = v;
        return c.validated();
    }

    /** Topic names, the sink's transactional id prefix and the consumer group (tests run several jobs on one broker). */
    public SpeedConfig withTopics(String events, String views, String dlq, String txPrefix, String group) {
        SpeedConfig c = copy();
        c.eventsTopic = events;
        c.viewsTopic = views;
        c.dlqTopic = dlq;
        c.transactionalIdPrefix = txPrefix;
        c.consumerGroup = group;
        return c.validated();
    }

    @Override
    public String toString() {
        return "SpeedConfig{retention=" + Duration.ofMillis(retentionMs) + ", emitInterval=" + emitIntervalMs
                + " ms, checkpointInterval=" + checkpointIntervalMs + " ms, idleWatermarkDelay=" + idleWatermarkDelayMs
                + " ms, stateBackend=" + stateBackend + (stateChangelog ? "+changelog" : "") + ", checkpointDir=" + checkpointDir + ", topics="
                + eventsTopic + " -> " + viewsTopic + " / " + dlqTopic + "}";
    }
}
