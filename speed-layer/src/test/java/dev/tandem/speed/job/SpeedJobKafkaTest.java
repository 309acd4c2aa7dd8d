package dev.tandem.speed.job;

import dev.tandem.core.event.EventCodec;
import dev.tandem.core.event.LogRecord;
import dev.tandem.core.reference.Evaluation;
import dev.tandem.core.reference.ReferenceEvaluator;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.topics.Topics;
import dev.tandem.core.validation.Checked;
import dev.tandem.kafka.LocalKafka;
import dev.tandem.speed.SpeedConfig;
import dev.tandem.speed.SpeedJob;
import dev.tandem.speed.io.KafkaIo;
import dev.tandem.speed.logic.IngestTimeWatermarks;
import dev.tandem.speed.model.RawRecord;
import dev.tandem.speed.testing.ChangelogFold;
import dev.tandem.speed.testing.KafkaTestSupport;
import dev.tandem.speed.testing.KafkaTestSupport.CommittedReader;
import dev.tandem.speed.testing.TestLogs;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import dev.tandem.speed.logic.Dedup;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job against a real in-process broker: ingest times are the broker's LogAppendTime, so the
 * reference input is the log read back from the broker. Output is read with read_committed and
 * folded like the serving layer would. One broker and one MiniCluster for the class.
 */
@Tag("slow")
class SpeedJobKafkaTest {

    /** Reads the job's metrics (the production way to watch the ordering assumption). */
    static final InMemoryReporter METRICS = InMemoryReporter.create();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(METRICS.addToConfiguration(new Configuration()))
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @TempDir
    static Path dir;
    static LocalKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = LocalKafka.start(dir.resolve("kafka"));
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static SpeedConfig config(String name) throws Exception {
        return KafkaTestSupport.topicsFor(kafka.bootstrapServers(), name, SpeedConfig.defaults()
                .withCheckpointIntervalMs(500)
                .withEmitIntervalMs(200)
                .withIdleWatermarkDelayMs(1000)
                .withIdleWatermarkGraceMs(5000));
    }

    private static SpeedJob job(SpeedConfig config) {
        return job(config, 0);
    }

    /** {@code maxDriftMs}: the CLI's --max-partition-drift (watermark alignment; 0 = off, the default). */
    private static SpeedJob job(SpeedConfig config, long maxDriftMs) {
        String b = kafka.bootstrapServers();
        return new SpeedJob(config, KafkaIo.eventsSource(b, config),
                IngestTimeWatermarks.strategy(config.idleWatermarkDelayMs(), config.idleWatermarkGraceMs(), maxDriftMs),
                KafkaIo.changelogSink(b, config), KafkaIo.dlqSink(b, config));
    }

    private static StreamExecutionEnvironment env(SpeedConfig config) {
        return env(config, 2);
    }

    private static StreamExecutionEnvironment env(SpeedConfig config, int parallelism) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        SpeedJob.configure(env, config);
        return env;
    }

    private static List<TestLogs.Produced> generated(long seed, int size) {
        return TestLogs.values(seed, size, IngestTags.tagOf(System.currentTimeMillis()));
    }

    /** Waits until the committed changelog folds to the reference over everything in the log now. */
    private static void awaitExact(SpeedConfig config, CommittedReader changelog, ChangelogFold fold) throws Exception {
        List<LogRecord> log = KafkaTestSupport.readLog(kafka.bootstrapServers(), config.eventsTopic());
        Evaluation reference = ReferenceEvaluator.evaluateLog(log);
        boolean exact = KafkaTestSupport.await(PATIENCE, () -> {
            changelog.poll().forEach(r -> fold.apply(r.key(), r.value()));
            return fold.matches(reference, Long.MIN_VALUE);
        });
        TreeSet<Long> tags = new TreeSet<>();
        log.forEach(r -> tags.add(IngestTags.tagOf(r.ingestTime())));
        for (long h : List.of(Long.MIN_VALUE, tags.first(), tags.last(), tags.last() + IngestTags.HOUR_MS)) {
            fold.assertMatches(reference, h); // the diff, if not exact
        }
        assertThat(exact).isTrue();
        assertThat(reference.duplicates()).isPositive();
        assertThat(reference.attributedClicks()).isPositive();
    }

    /** The DLQ holds every bad record of the log exactly once, with its reason and raw bytes. */
    private static void assertDlqComplete(SpeedConfig config) throws Exception {
        List<LogRecord> log = KafkaTestSupport.readLog(kafka.bootstrapServers(), config.eventsTopic());
        Map<String, String> expected = new HashMap<>();
        Map<String, byte[]> raw = new HashMap<>();
        for (LogRecord r : log) {
            Checked c = EventCodec.get().check(r.value(), r.ingestTime());
            if (!c.isValid()) {
                expected.put(r.partition() + ":" + r.offset(), c.rejection().code());
                raw.put(r.partition() + ":" + r.offset(), r.value());
            }
        }
        assertThat(expected).isNotEmpty();
        try (CommittedReader dlq = new CommittedReader(kafka.bootstrapServers(), config.dlqTopic())) {
            KafkaTestSupport.await(PATIENCE, () -> {
                dlq.poll();
                return dlq.all().size() >= expected.size();
            });
            Thread.sleep(1000);
            dlq.poll();
            Map<String, String> actual = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : dlq.all()) {
                String pos = header(r, KafkaIo.POSITION_HEADER);
                assertThat(actual.put(pos, header(r, Topics.DLQ_REASON_HEADER))).as("twice in the DLQ: " + pos).isNull();
                byte[] value = r.value() == null ? new byte[0] : r.value();
                assertThat(value).isEqualTo(raw.get(pos) == null ? new byte[0] : raw.get(pos));
            }
            assertThat(actual).isEqualTo(expected);
        }
    }

    /** The ordering assumption held: no record ever reached dedup or the join behind the watermark. */
    private static void assertNothingBehindTheWatermark(JobClient client) throws Exception {
        assertNothingBehindTheWatermark(client, 2);
    }

    private static void assertNothingBehindTheWatermark(JobClient client, int parallelism) throws Exception {
        Map<String, Metric> counters = METRICS.findMetrics(client.getJobID(), Dedup.BEHIND_WATERMARK);
        assertThat(counters).as("one counter per dedup and join subtask").hasSize(2 * parallelism);
        counters.values().forEach(m -> assertThat(((Counter) m).getCount()).isZero());
    }

    /** When the job last restored a checkpoint or savepoint (the JobManager's metric; -1: never). */
    private static long restoreTimestamp(JobClient client) {
        Metric m = METRICS.findMetric(client.getJobID(), "lastCheckpointRestoreTimestamp")
                .orElseThrow(() -> new AssertionError("no lastCheckpointRestoreTimestamp metric"));
        return ((Number) ((Gauge<?>) m).getValue()).longValue();
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    /** Also with --max-partition-drift: alignment only pauses partitions, it must not change the answer. */
    @Test
    void theCommittedChangelogEqualsTheReferenceOverTheBrokersLog() throws Exception {
        SpeedConfig config = config("exact");
        JobClient client = job(config, 100).executeAsync(env(config));
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestSupport.producer(kafka.bootstrapServers());
             CommittedReader changelog = new CommittedReader(kafka.bootstrapServers(), config.viewsTopic())) {
            List<TestLogs.Produced> values = generated(11, 1500);
            KafkaTestSupport.produce(producer, config.eventsTopic(), values.subList(0, 700));
            Thread.sleep(300);
            KafkaTestSupport.produce(producer, config.eventsTopic(), values.subList(700, values.size()));
            awaitExact(config, changelog, new ChangelogFold());
            assertDlqComplete(config);
            assertNothingBehindTheWatermark(client);
        } finally {
            client.cancel().get();
        }
    }

    static final AtomicInteger MAX_ATTEMPT = new AtomicInteger();

    /** Throws on the first record after each completed checkpoint, in the first {@code failures} attempts. */
    static final class FailAfterCheckpoint extends RichMapFunction<RawRecord, RawRecord> implements CheckpointListener {
        private static final long serialVersionUID = 1L;
        private final int failures;
        private transient boolean armed;

        FailAfterCheckpoint(int failures) {
            this.failures = failures;
        }

        @Override
        public void open(OpenContext ctx) {
            MAX_ATTEMPT.accumulateAndGet(getRuntimeContext().getTaskInfo().getAttemptNumber(), Math::max);
        }

        @Override
        public RawRecord map(RawRecord r) {
            if (armed && getRuntimeContext().getTaskInfo().getAttemptNumber() < failures) {
                throw new IllegalStateException("injected failure at " + r);
            }
            return r;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            armed = true;
        }
    }

    @Test
    void recoversFromInjectedFailuresWithNothingLostAndNothingTwice() throws Exception {
        recoversFromInjectedFailures(config("failures"));
    }

    @Test
    void recoversFromInjectedFailuresWithTheChangelogStateBackend() throws Exception {
        recoversFromInjectedFailures(config("failures-changelog").withStateChangelog(true, 2000));
    }

    private void recoversFromInjectedFailures(SpeedConfig config) throws Exception {
        MAX_ATTEMPT.set(0);
        JobClient client = job(config)
                .withInputStage(s -> s.map(new FailAfterCheckpoint(3)).name("inject-failures").uid("inject-failures"))
                .executeAsync(env(config));
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestSupport.producer(kafka.bootstrapServers());
             CommittedReader changelog = new CommittedReader(kafka.bootstrapServers(), config.viewsTopic())) {
            List<TestLogs.Produced> values = generated(23, 6000);
            int wave = 0;
            int size = 150;
            // keep producing, mid-stream, until three restarts have happened (and a little after)
            while ((wave < 6 || MAX_ATTEMPT.get() < 3) && (wave + 1) * size <= values.size()) {
                KafkaTestSupport.produce(producer, config.eventsTopic(), values.subList(wave * size, (wave + 1) * size));
                wave++;
                Thread.sleep(400);
            }
            assertThat(MAX_ATTEMPT.get()).as("restarts").isGreaterThanOrEqualTo(3);
            awaitExact(config, changelog, new ChangelogFold());
            assertDlqComplete(config);
            if (config.stateChangelog()) {
                // the changelog state backend really ran (its materialization threads live in this JVM)
                assertThat(Thread.getAllStackTraces().keySet().stream()
                        .anyMatch(t -> t.getName().startsWith("periodic-materialization-scheduler")))
                        .as("changelog state backend in use").isTrue();
            }
        } finally {
            client.cancel().get();
        }
    }

    @Test
    void stopWithSavepointAndRestoreAtAnotherParallelismContinuesExactly() throws Exception {
        stopWithSavepointAndRestore(config("savepoint"), 1, 2);
    }

    @Test
    void stopWithSavepointAndRestoreWithTheChangelogStateBackend() throws Exception {
        stopWithSavepointAndRestore(config("savepoint-changelog").withStateChangelog(true, 2000), 2, 1);
    }

    private void stopWithSavepointAndRestore(SpeedConfig config, int before, int after) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestSupport.producer(kafka.bootstrapServers());
             CommittedReader changelog = new CommittedReader(kafka.bootstrapServers(), config.viewsTopic())) {
            ChangelogFold fold = new ChangelogFold();
            List<TestLogs.Produced> values = generated(37, 1600);
            // the restore also rescales: dedup and join state, and the records waiting for the
            // watermark, are split (or merged) by shard between the new subtasks
            JobClient first = job(config).executeAsync(env(config, before));
            String savepoint;
            try {
                KafkaTestSupport.produce(producer, config.eventsTopic(), values.subList(0, 800));
                awaitExact(config, changelog, fold);
            } finally {
                savepoint = first.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(),
                        SavepointFormatType.CANONICAL).get();
            }
            // while the job is down, more events arrive
            KafkaTestSupport.produce(producer, config.eventsTopic(), values.subList(800, values.size()));
            JobClient second = job(config).executeAsync(env(config, after), savepoint);
            try {
                awaitExact(config, changelog, fold);
                assertDlqComplete(config);
                assertNothingBehindTheWatermark(second, after);
                // restored, not rebuilt from the log (which would also be exact)
                assertThat(restoreTimestamp(second)).as("restored from the savepoint").isPositive();
            } finally {
                second.cancel().get();
            }
        }
    }
}
