package dev.tandem.speed;

import dev.tandem.core.event.EventType;
import dev.tandem.speed.cli.SpeedCli;
import dev.tandem.speed.logic.AttributionJoin;
import dev.tandem.speed.logic.DecodeAndValidate;
import dev.tandem.speed.logic.Dedup;
import dev.tandem.speed.logic.FactCombiner;
import dev.tandem.speed.logic.ViewAggregator;
import dev.tandem.speed.model.AttributedClick;
import dev.tandem.speed.model.ChangelogEntry;
import dev.tandem.speed.model.Contribution;
import dev.tandem.speed.model.PositionedEvent;
import dev.tandem.speed.model.RawRecord;
import dev.tandem.speed.model.Rejected;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateChangelogOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.DetachedJobExecutionResult;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.RecoveryClaimMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * The speed layer (DESIGN §3): raw records → decode and validate (bad ones to the DLQ) → dedup by
 * event_id → attribution join → the three views by (view, dims, bucket, ingest tag) → absolute
 * values to the changelog. The job takes its source and sinks (flink-training style): {@code main}
 * and {@link SpeedCli} wire Kafka, the tests wire finite sources and collecting sinks or a
 * local broker.
 */
public final class SpeedJob {

    public static final String JOB_NAME = "tandem-speed-layer";
    /** A map-side combiner flushes early when it holds this many keys. */
    static final int COMBINER_MAX_KEYS = 50_000;

    private final SpeedConfig config;
    private final Source<RawRecord, ?, ?> source;
    private final WatermarkStrategy<RawRecord> watermarks;
    private final Sink<ChangelogEntry> changelogSink;
    private final Sink<Rejected> dlqSink;
    private final UnaryOperator<DataStream<RawRecord>> inputStage;

    public SpeedJob(SpeedConfig config, Source<RawRecord, ?, ?> source, WatermarkStrategy<RawRecord> watermarks,
                    Sink<ChangelogEntry> changelogSink, Sink<Rejected> dlqSink) {
        this(config, source, watermarks, changelogSink, dlqSink, UnaryOperator.identity());
    }

    private SpeedJob(SpeedConfig config, Source<RawRecord, ?, ?> source, WatermarkStrategy<RawRecord> watermarks,
                     Sink<ChangelogEntry> changelogSink, Sink<Rejected> dlqSink,
                     UnaryOperator<DataStream<RawRecord>> inputStage) {
        this.config = config;
        this.source = source;
        this.watermarks = watermarks;
        this.changelogSink = changelogSink;
        this.dlqSink = dlqSink;
        this.inputStage = inputStage;
    }

    /**
     * A copy with an extra stage right after the source (e.g. sampling, or a fault injected by a
     * test). The stage must name and uid its operators.
     */
    public SpeedJob withInputStage(UnaryOperator<DataStream<RawRecord>> stage) {
        return new SpeedJob(config, source, watermarks, changelogSink, dlqSink, stage);
    }

    /** Flink settings of this job: checkpointing, restarts, state backend, watermarks. */
    public static Configuration flinkConfiguration(SpeedConfig config) {
        Configuration c = new Configuration();
        c.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(config.checkpointIntervalMs()));
        c.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        c.set(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS, Duration.ofMillis(Math.min(200, config.checkpointIntervalMs() / 2)));
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, config.restartAttempts());
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        c.set(StateBackendOptions.STATE_BACKEND, config.stateBackend());
        // heap snapshots are always full; RocksDB uploads only new files, which is what makes a 1 s
        // interval affordable with 48 h of dedup state
        c.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, config.stateBackend().equals("rocksdb"));
        if (config.stateChangelog()) {
            // incremental checkpoints for the heap backend too: each checkpoint uploads the state
            // changes since the previous one; a full snapshot is materialized in the background
            c.set(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG, true);
            c.set(StateChangelogOptions.STATE_CHANGE_LOG_STORAGE, "filesystem");
            c.set(StateChangelogOptions.PERIODIC_MATERIALIZATION_INTERVAL, Duration.ofMillis(config.materializationIntervalMs()));
            c.setString("dstl.dfs.base-path", checkpointBase(config) + "/changelog");
        }
        // how a restore (--restore, a retained checkpoint, `flink run -s`) treats its snapshot; see claimMode
        c.set(StateRecoveryOptions.RESTORE_MODE, claimMode(config));
        // the JobManager's memory storage caps state at 5 MB, which 48 h of dedup state exceeds in
        // minutes: always checkpoint to a filesystem, a scratch directory unless one is given
        c.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        if (config.checkpointDir() != null) {
            c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, config.checkpointDir());
            c.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                    ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        } else {
            c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointBase(config));
            c.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                    ExternalizedCheckpointRetention.DELETE_ON_CANCELLATION);
        }
        // a slow checkpoint only delays commits; restart the job only if several fail in a row
        c.set(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, 5);
        c.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, Duration.ofMillis(config.watermarkIntervalMs()));
        // every type in state and on the wire is a POJO or a primitive: Kryo would be a bug
        c.set(PipelineOptions.GENERIC_TYPES, false);
        // chained operators hand records over without a defensive copy: no function here mutates a
        // record after emitting it or keeps an emitted record to change later
        c.set(PipelineOptions.OBJECT_REUSE, true);
        return c;
    }

    /**
     * The claim mode of a restore. Flink's default, NO_CLAIM, leaves the snapshot to the user and so
     * makes the first checkpoint after the restore a full one, which the changelog state backend
     * cannot take: every checkpoint of the restored job then fails ("does not support enforcing a
     * full snapshot"), the task restarts, and nothing is ever committed again — the restored job
     * silently serves nothing new. With the changelog the job therefore CLAIMs the snapshot: its
     * checkpoints may build on the snapshot's files, and Flink deletes the snapshot once a newer
     * checkpoint subsumes it (a savepoint restores once; copy it to keep it).
     */
    public static RecoveryClaimMode claimMode(SpeedConfig config) {
        return config.stateChangelog() ? RecoveryClaimMode.CLAIM : RecoveryClaimMode.NO_CLAIM;
    }

    private static String checkpointBase(SpeedConfig config) {
        return config.checkpointDir() != null ? config.checkpointDir()
                : Path.of(System.getProperty("java.io.tmpdir"), "tandem-speed-checkpoints").toUri().toString();
    }

    /** Applies {@link #flinkConfiguration} to an environment made elsewhere (tests, flink run). */
    public static void configure(StreamExecutionEnvironment env, SpeedConfig config) {
        env.configure(flinkConfiguration(config), SpeedJob.class.getClassLoader());
        env.enableCheckpointing(config.checkpointIntervalMs(), CheckpointingMode.EXACTLY_ONCE);
    }

    /** Adds source, pipeline and sinks to {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        DataStream<RawRecord> records = env.fromSource(source, watermarks, "tandem-events")
                .uid("tandem-events-source");
        Outputs out = pipeline(inputStage.apply(records), config);
        out.changelog().sinkTo(changelogSink).name("changelog-sink").uid("changelog-sink");
        out.rejected().sinkTo(dlqSink).name("dlq-sink").uid("dlq-sink");
    }

    public JobExecutionResult execute(StreamExecutionEnvironment env) throws Exception {
        return execute(env, null);
    }

    /** Runs to the end (bounded input) or until cancelled; {@code restoreFrom}: a savepoint or retained checkpoint. */
    public JobExecutionResult execute(StreamExecutionEnvironment env, String restoreFrom) throws Exception {
        JobClient client = executeAsync(env, restoreFrom);
        if (!env.getConfiguration().get(DeploymentOptions.ATTACHED)) {
            // `flink run -d`: the job was handed to the cluster; waiting for a streaming job would never return
            return new DetachedJobExecutionResult(client.getJobID());
        }
        return client.getJobExecutionResult().get();
    }

    public JobClient executeAsync(StreamExecutionEnvironment env) throws Exception {
        return executeAsync(env, null);
    }

    /** Submits the job, restoring state from {@code restoreFrom} when it is not null. */
    public JobClient executeAsync(StreamExecutionEnvironment env, String restoreFrom) throws Exception {
        if (restoreFrom != null) {
            // in the configuration too: Flink's executors replace the graph's restore settings with the configuration's
            Configuration restore = new Configuration();
            restore.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom);
            restore.set(StateRecoveryOptions.RESTORE_MODE, claimMode(config));
            env.configure(restore, SpeedJob.class.getClassLoader());
        }
        build(env);
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(JOB_NAME);
        if (restoreFrom != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(restoreFrom, false, claimMode(config)));
        }
        return env.executeAsync(graph);
    }

    /** What the pipeline produces: the changelog and the rejected records. */
    public record Outputs(DataStream<ChangelogEntry> changelog, DataStream<Rejected> rejected) {
    }

    /** The topology, from raw records to the changelog; every operator named and uid'd. */
    public static Outputs pipeline(DataStream<RawRecord> records, SpeedConfig config) {
        SingleOutputStreamOperator<PositionedEvent> valid = records
                .process(new DecodeAndValidate()).name("decode-validate").uid("decode-validate");
        DataStream<Rejected> rejected = valid.getSideOutput(DecodeAndValidate.REJECTED);

        // dedup and join are keyed by a shard of the id (Shards): their state is one map per
        // (shard, ingest hour) and one expiry timer per (shard, hour), not an entry and timers per record
        TypeInformation<PositionedEvent> eventType = TypeInformation.of(PositionedEvent.class);
        SingleOutputStreamOperator<PositionedEvent> unique = valid
                .keyBy(Dedup::keyOf, Types.INT)
                .transform("dedup", eventType, new Dedup(config.retentionMs())).uid("dedup-by-shard");

        DataStream<PositionedEvent> impressions = unique
                .filter(e -> e.eventType == EventType.AD_IMPRESSION).name("impressions").uid("impressions");
        DataStream<PositionedEvent> clicks = unique
                .filter(e -> e.eventType == EventType.AD_CLICK).name("clicks").uid("clicks");
        SingleOutputStreamOperator<AttributedClick> attributed = impressions.connect(clicks)
                .keyBy(AttributionJoin::keyOf, AttributionJoin::keyOf, Types.INT)
                .transform("attribution-join", TypeInformation.of(AttributedClick.class),
                        new AttributionJoin(config.retentionMs()))
                .uid("attribution-join-by-shard");

        // facts are folded into per-key partial aggregates in the dedup and join tasks themselves
        // (chained: no per-event record crosses a task boundary after dedup), flushed on every
        // watermark and checkpoint barrier
        TypeInformation<Contribution> contributionType = TypeInformation.of(Contribution.class);
        DataStream<Contribution> contributions = unique
                .transform("event-facts", contributionType, FactCombiner.ofEvents(COMBINER_MAX_KEYS))
                .uid("event-facts")
                .union(attributed.transform("attributed-click-facts", contributionType,
                                FactCombiner.ofAttributedClicks(COMBINER_MAX_KEYS))
                        .uid("attributed-click-facts"));

        SingleOutputStreamOperator<ChangelogEntry> changelog = contributions
                .keyBy(c -> c.key, Types.STRING)
                .transform("views-by-tag", TypeInformation.of(ChangelogEntry.class),
                        new ViewAggregator.Operator(new ViewAggregator(config.retentionMs(), config.emitIntervalMs())))
                .uid("views-by-tag");
        return new Outputs(changelog, rejected);
    }

    /** Entry point for {@code flink run}: the same options as {@code scripts/tandem speed}. */
    public static void main(String[] args) {
        String[] withSub = new String[args.length + 1];
        withSub[0] = "speed";
        System.arraycopy(args, 0, withSub, 1, args.length);
        System.exit(SpeedCli.run(withSub));
    }
}
