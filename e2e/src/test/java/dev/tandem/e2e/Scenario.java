package dev.tandem.e2e;

import dev.tandem.batch.archive.ArchiveJob;
import dev.tandem.batch.archive.KafkaLogSource;
import dev.tandem.batch.spark.SparkRecomputeJob;
import dev.tandem.core.event.LogRecord;
import dev.tandem.core.reference.ReferenceEvaluator;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.topics.Topics;
import dev.tandem.datasets.generate.EventFactory;
import dev.tandem.datasets.generate.GeneratorConfig;
import dev.tandem.kafka.BrokerClock;
import dev.tandem.kafka.LocalKafka;
import dev.tandem.kafka.TopicReader;
import dev.tandem.serving.ServingApp;
import dev.tandem.serving.ServingConfig;
import dev.tandem.serving.verify.Verifier;
import dev.tandem.speed.SpeedConfig;
import dev.tandem.speed.SpeedJob;
import dev.tandem.speed.io.KafkaIo;
import dev.tandem.speed.logic.IngestTimeWatermarks;
import dev.tandem.speed.model.RawRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.Future;

/**
 * One randomized run of the whole pipeline (issue: "exactness end to end"): events with late,
 * duplicate, bad and v1/v2 records go into the real broker; archive and batch runs happen at random
 * moments; the Flink job, the serving process and batch runs crash at random; the broker clock
 * jumps forward so ingest hours complete. After every step, at quiescence, every served row must
 * equal the reference evaluator over everything produced so far (invariants 1–6), and a publish
 * must change no answer (invariant 2).
 */
final class Scenario implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Scenario.class);

    private final long seed;
    private final Path dir;
    private final SparkSession spark;
    private final SplittableRandom rnd;
    private final BrokerClock clock = new BrokerClock();
    private final List<String> steps = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private LocalKafka kafka;
    private StorageLayout layout;
    private KafkaProducer<String, byte[]> producer;
    private EventFactory events;
    private final List<ProducerRecord<String, byte[]>> retriesPending = new ArrayList<>();
    private JobClient flink;
    private ServingApp serving;
    private long firstHour;

    Scenario(long seed, Path dir, SparkSession spark) {
        this.seed = seed;
        this.dir = dir;
        this.spark = spark;
        this.rnd = new SplittableRandom(seed);
    }

    /** Runs the scenario; throws an AssertionError naming the seed and the steps on any difference. */
    void run(int steps) throws Exception {
        // start a minute into a future hour, so ingest hours are whole and the clock only moves forward
        firstHour = IngestTags.tagOf(System.currentTimeMillis()) + IngestTags.HOUR_MS;
        clock.advanceTo(firstHour + 60_000);
        E2EClock.use(clock);
        kafka = LocalKafka.start(dir.resolve("kafka"), 0, 0, clock);
        layout = StorageLayout.at(dir.resolve("root").toString());
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
        events = new EventFactory(new GeneratorConfig(seed, 0, 0.08, 0, 0.03, 0.3, 300, 8, 30, 4), rnd.split());

        startFlink();
        startServing();
        produce(40 + rnd.nextInt(80));
        awaitExact("start");

        for (int i = 1; i <= steps; i++) {
            produce(30 + rnd.nextInt(150));
            if (rnd.nextInt(3) > 0) {
                Duration jump = Duration.ofMinutes(10 + rnd.nextInt(70));
                clock.advance(jump);
                step("clock +" + jump.toMinutes() + " min");
                produce(10 + rnd.nextInt(40)); // records after the jump complete the hour in every partition
            }
            switch (rnd.nextInt(6)) {
                case 0, 1 -> batch(rnd.nextBoolean() ? SparkRecomputeJob.Mode.INCREMENTAL : SparkRecomputeJob.Mode.FULL, false);
                case 2 -> batch(SparkRecomputeJob.Mode.INCREMENTAL, true);
                case 3 -> restartServing();
                case 4 -> crashFlink();
                default -> step("no action");
            }
            awaitExact("step " + i);
        }
    }

    // ---- producing --------------------------------------------------------------------------

    private void produce(int n) throws Exception {
        List<Future<?>> acks = new ArrayList<>();
        // retries scheduled by an earlier step land now: duplicates across steps, hours and batches
        for (ProducerRecord<String, byte[]> r : retriesPending) {
            acks.add(producer.send(r));
        }
        int dups = retriesPending.size();
        retriesPending.clear();
        for (int i = 0; i < n; i++) {
            EventFactory.Made m = events.next(clock.milliseconds());
            ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.EVENTS, m.key(), m.value());
            acks.add(producer.send(r));
            if (rnd.nextInt(25) == 0) {
                acks.add(producer.send(r)); // an immediate retry
                dups++;
            } else if (rnd.nextInt(25) == 0) {
                retriesPending.add(r);
            }
        }
        for (Future<?> f : acks) {
            f.get();
        }
        step("produce " + n + " (+" + dups + " retries)");
    }

    // ---- batch layer ------------------------------------------------------------------------

    private void batch(SparkRecomputeJob.Mode mode, boolean crashFirst) throws Exception {
        Clock brokerTime = clock.asClock();
        List<ArchiveJob.HourResult> archived;
        try (KafkaLogSource source = new KafkaLogSource(kafka.bootstrapServers(), Topics.EVENTS, Duration.ofSeconds(30))) {
            archived = new ArchiveJob(spark, layout, source, brokerTime, Duration.ofSeconds(5), ArchiveJob.Hooks.NONE)
                    .run(OptionalLong.of(firstHour));
        }
        checkAccounted(archived);
        if (layout.completeHours().isEmpty()) {
            step("archive: no complete ingest hour yet, nothing to batch");
            return;
        }
        awaitExact("before the batch run");
        Verifier.Rows before = served();
        if (crashFirst) {
            try {
                SparkRecomputeJob.Outcome nothing = new SparkRecomputeJob(spark, layout, brokerTime, new SparkRecomputeJob.Hooks() {
                    @Override
                    public void afterViewsWritten(String runId) {
                        throw new IllegalStateException("injected crash of batch run " + runId);
                    }
                }).run(mode);
                // an incremental run with no new complete hour writes nothing, so there is nothing to crash
                if (nothing.published()) {
                    throw new AssertionError(describe("the injected batch crash did not happen"));
                }
                step("batch " + mode.label() + ": nothing new since " + nothing.runId() + ", no crash to inject");
            } catch (IllegalStateException expected) {
                step("batch " + mode.label() + " crashed mid-write");
            }
            awaitExact("after the crashed batch run");
        }
        SparkRecomputeJob.Outcome out = new SparkRecomputeJob(spark, layout, brokerTime, SparkRecomputeJob.Hooks.NONE).run(mode);
        step("archive " + archived.size() + " hours, batch " + mode.label() + " -> " + out.runId()
                + " cutoff " + (out.manifest() == null ? "-" : out.manifest().cutoff()));
        // invariant 2: served answers right after the publish equal those right before it
        serving.batch().reload();
        Verifier.Rows after = served();
        if (!before.equals(after)) {
            throw new AssertionError(describe("publishing " + out.runId() + " changed served answers:\n"
                    + diff(before, after)));
        }
    }

    /** Invariant 6: per archived hour, records in the log = archived + quarantined. */
    private void checkAccounted(List<ArchiveJob.HourResult> archived) {
        Map<Long, Long> produced = new HashMap<>();
        for (var r : TopicReader.readAll(kafka.bootstrapServers(), Topics.EVENTS, true)) {
            produced.merge(IngestTags.tagOf(r.timestamp()), 1L, Long::sum);
        }
        for (ArchiveJob.HourResult h : archived) {
            if (h.skipped()) {
                continue;
            }
            long inLog = produced.getOrDefault(h.hour(), 0L);
            if (inLog != h.records() || h.records() != h.archived() + h.quarantined()) {
                throw new AssertionError(describe("hour " + IngestTags.hourLabel(h.hour()) + " does not reconcile: log "
                        + inLog + ", " + h));
            }
        }
    }

    // ---- speed layer ------------------------------------------------------------------------

    private SpeedConfig speedConfig() {
        return SpeedConfig.defaults();
    }

    private void startFlink() throws Exception {
        SpeedConfig config = speedConfig();
        String b = kafka.bootstrapServers();
        WatermarkStrategy<RawRecord> watermarks = WatermarkStrategy
                .<RawRecord>forGenerator(ctx -> new IngestTimeWatermarks(config.idleWatermarkDelayMs(),
                        config.idleWatermarkGraceMs(), E2EClock::now))
                .withTimestampAssigner((r, ts) -> r.ingestTime);
        SpeedJob job = new SpeedJob(config, KafkaIo.eventsSource(b, config), watermarks,
                KafkaIo.changelogSink(b, config), KafkaIo.dlqSink(b, config))
                .withInputStage(s -> s.map(new FailOnce()).name("scenario-fault").uid("scenario-fault"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        SpeedJob.configure(env, config);
        flink = job.executeAsync(env);
        step("flink started");
    }

    private void crashFlink() {
        FailOnce.ARMED.set(true);
        step("flink crash armed (the job restarts from its last checkpoint)");
        // the next record makes it throw; Flink's restart strategy recovers from the checkpoint
    }

    // ---- serving ----------------------------------------------------------------------------

    private void startServing() {
        serving = ServingApp.start(new ServingConfig(layout.root().toString(), kafka.bootstrapServers(), "127.0.0.1", 0,
                "e2e-token", Duration.ofMillis(200)));
        step("serving started on port " + serving.port());
    }

    private void restartServing() {
        serving.close();
        step("serving stopped");
        startServing();
    }

    // ---- checking ---------------------------------------------------------------------------

    /** Waits until every served row equals the reference over the whole log; fails after a minute. */
    private void awaitExact(String when) throws Exception {
        List<LogRecord> log = new ArrayList<>();
        TopicReader.readAll(kafka.bootstrapServers(), Topics.EVENTS, true,
                r -> log.add(new LogRecord(r.value(), r.timestamp(), r.partition(), r.offset())));
        Verifier.Rows expected = Verifier.expected(ReferenceEvaluator.evaluateLog(log));
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Verifier.Rows actual = new Verifier.Rows();
        while (System.nanoTime() < deadline) {
            try {
                actual = served();
                if (actual.equals(expected)) {
                    LOG.info("seed {} {}: {} records, served rows equal the reference", seed, when, log.size());
                    return;
                }
            } catch (java.io.IOException | IllegalStateException e) {
                // serving restarting or not ready yet
            }
            Thread.sleep(300);
        }
        throw new AssertionError(describe("at " + when + " served answers differ from the reference over "
                + log.size() + " records:\n" + diff(expected, actual)));
    }

    /** Every row the API serves now, over a range wide enough for every event time of the scenario. */
    private Verifier.Rows served() throws Exception {
        long from = Math.floorDiv(firstHour - 5 * IngestTags.DAY_MS, IngestTags.DAY_MS) * IngestTags.DAY_MS;
        return Verifier.served(http, "http://127.0.0.1:" + serving.port(), from, from + 12 * IngestTags.DAY_MS);
    }

    private static String diff(Verifier.Rows expected, Verifier.Rows actual) {
        List<Verifier.Difference> d = Verifier.compare(expected, actual);
        StringBuilder sb = new StringBuilder();
        d.stream().limit(15).forEach(x -> sb.append("  ").append(x).append('\n'));
        return sb.append("  (").append(d.size()).append(" rows differ)").toString();
    }

    private void step(String s) {
        steps.add(s);
        LOG.info("seed {}: {}", seed, s);
    }

    private String describe(String problem) {
        return "seed " + seed + ": " + problem + "\nsteps: " + String.join(" → ", steps)
                + "\nreplay: mvn -B -pl e2e -am verify -Dtest=ExactnessScenarioTest -Dsurefire.failIfNoSpecifiedTests=false"
                + " -Dtandem.e2e.seed=" + seed;
    }

    @Override
    public void close() {
        FailOnce.ARMED.set(false);
        if (flink != null) {
            try {
                flink.cancel().get();
            } catch (Exception e) {
                LOG.warn("cancelling the Flink job: {}", e.toString());
            }
        }
        if (serving != null) {
            serving.close();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (kafka != null) {
            kafka.close();
        }
    }
}
