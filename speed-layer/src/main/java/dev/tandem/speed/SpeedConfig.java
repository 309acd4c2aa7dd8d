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
    private final long retentionMs;
    /** A changelog key is written at most once per this interval: absolute values, so skipping is safe. */
    private final long emitIntervalMs;
    /** Checkpoint interval: also the commit interval of the transactional sink, so it bounds freshness. */
    private final long checkpointIntervalMs;
    /**
     * A partition with no record for this long lets the watermark follow the wall clock (minus this
     * delay): with LogAppendTime, a future record cannot be older. Must exceed broker↔Flink clock
     * skew plus fetch latency; see README "Ordering".
     */
    private final long idleWatermarkDelayMs;
    /**
     * A partition silent this long lets the watermark follow the wall clock even if its last record
     * was old (it may have been catching up) or it never had one. Longer than any fetch stall.
     */
    private final long idleWatermarkGraceMs;
    /** Periodic watermark emission; dedup and join release records when the watermark passes them. */
    private final long watermarkIntervalMs;
    private final String stateBackend;
    private final String checkpointDir;
    private final int restartAttempts;
    private final String eventsTopic;
    private final String viewsTopic;
    private final String dlqTopic;
    private final String transactionalIdPrefix;
    private final String consumerGroup;

    private SpeedConfig(long retentionMs, long emitIntervalMs, long checkpointIntervalMs, long idleWatermarkDelayMs,
                        long idleWatermarkGraceMs, long watermarkIntervalMs, String stateBackend, String checkpointDir, int restartAttempts,
                        String eventsTopic, String viewsTopic, String dlqTopic, String transactionalIdPrefix,
                        String consumerGroup) {
        if (retentionMs < IngestTags.HOUR_MS) {
            throw new IllegalArgumentException("retention must be at least one hour, was " + retentionMs + " ms");
        }
        if (emitIntervalMs <= 0 || checkpointIntervalMs <= 0 || idleWatermarkDelayMs <= 0 || watermarkIntervalMs <= 0) {
            throw new IllegalArgumentException("intervals must be positive");
        }
        if (!stateBackend.equals("hashmap") && !stateBackend.equals("rocksdb")) {
            throw new IllegalArgumentException("state backend must be hashmap or rocksdb, was " + stateBackend);
        }
        this.retentionMs = retentionMs;
        this.emitIntervalMs = emitIntervalMs;
        this.checkpointIntervalMs = checkpointIntervalMs;
        this.idleWatermarkDelayMs = idleWatermarkDelayMs;
        this.idleWatermarkGraceMs = Math.max(idleWatermarkGraceMs, idleWatermarkDelayMs);
        this.watermarkIntervalMs = watermarkIntervalMs;
        this.stateBackend = stateBackend;
        this.checkpointDir = checkpointDir;
        this.restartAttempts = restartAttempts;
        this.eventsTopic = eventsTopic;
        this.viewsTopic = viewsTopic;
        this.dlqTopic = dlqTopic;
        this.transactionalIdPrefix = transactionalIdPrefix;
        this.consumerGroup = consumerGroup;
    }

    public static SpeedConfig defaults() {
        return new SpeedConfig(Duration.ofHours(48).toMillis(), 500, 1000, 2000, 15_000, 100, "hashmap", null, 10,
                Topics.EVENTS, Topics.REALTIME_VIEWS, Topics.EVENTS_DLQ, "tandem-speed", "tandem-speed");
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

    public SpeedConfig withRetentionMs(long v) {
        return new SpeedConfig(v, emitIntervalMs, checkpointIntervalMs, idleWatermarkDelayMs, idleWatermarkGraceMs, watermarkIntervalMs,
                stateBackend, checkpointDir, restartAttempts, eventsTopic, viewsTopic, dlqTopic, transactionalIdPrefix, consumerGroup);
    }

    public SpeedConfig withEmitIntervalMs(long v) {
        return new SpeedConfig(retentionMs, v, checkpointIntervalMs, idleWatermarkDelayMs, idleWatermarkGraceMs, watermarkIntervalMs,
                stateBackend, checkpointDir, restartAttempts, eventsTopic, viewsTopic, dlqTopic, transactionalIdPrefix, consumerGroup);
    }

    public SpeedConfig withCheckpointIntervalMs(long v) {
        return new SpeedConfig(retentionMs, emitIntervalMs, v, idleWatermarkDelayMs, idleWatermarkGraceMs, watermarkIntervalMs,
                stateBackend, checkpointDir, restartAttempts, eventsTopic, viewsTopic, dlqTopic, transactionalIdPrefix, consumerGroup);
    }

    public SpeedConfig withIdleWatermarkDelayMs(long v) {
        return new SpeedConfig(retentionMs, emitIntervalMs, checkpointIntervalMs, v, idleWatermarkGraceMs, watermarkIntervalMs,
                stateBackend, checkpointDir, restartAttempts, eventsTopic, viewsTopic, dlqTopic, transactionalIdPrefix, consumerGroup);
    }

    public SpeedConfig withIdleWatermarkGraceMs(long v) {
        return new SpeedConfig(retentionMs, emitIntervalMs, checkpointIntervalMs, idleWatermarkDelayMs, v, watermarkIntervalMs,
                stateBackend, checkpointDir, restartAttempts, eventsTopic, viewsTopic, dlqTopic, transactionalIdPrefix, consumerGroup);
    }

    public SpeedConfig withStateBackend(String backend, String dir) {
        return new SpeedConfig(retentionMs, emitIntervalMs, checkpointIntervalMs, idleWatermarkDelayMs, idleWatermarkGraceMs, watermarkIntervalMs,
                backend, dir, restartAttempts, eventsTopic, viewsTopic, dlqTopic, transactionalIdPrefix, consumerGroup);
    }

    public SpeedConfig withRestartAttempts(int v) {
        return new SpeedConfig(retentionMs, emitIntervalMs, checkpointIntervalMs, idleWatermarkDelayMs, idleWatermarkGraceMs, watermarkIntervalMs,
                stateBackend, checkpointDir, v, eventsTopic, viewsTopic, dlqTopic, transactionalIdPrefix, consumerGroup);
    }

    /** Topic names, the sink's transactional id prefix and the consumer group (tests run several jobs on one broker). */
    public SpeedConfig withTopics(String events, String views, String dlq, String txPrefix, String group) {
        return new SpeedConfig(retentionMs, emitIntervalMs, checkpointIntervalMs, idleWatermarkDelayMs, idleWatermarkGraceMs, watermarkIntervalMs,
                stateBackend, checkpointDir, restartAttempts, events, views, dlq, txPrefix, group);
    }

    @Override
    public String toString() {
        return "SpeedConfig{retention=" + Duration.ofMillis(retentionMs) + ", emitInterval=" + emitIntervalMs
                + " ms, checkpointInterval=" + checkpointIntervalMs + " ms, idleWatermarkDelay=" + idleWatermarkDelayMs
                + " ms, stateBackend=" + stateBackend + ", checkpointDir=" + checkpointDir + ", topics="
                + eventsTopic + " -> " + viewsTopic + " / " + dlqTopic + "}";
    }
}
