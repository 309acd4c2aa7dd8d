package dev.tandem.speed.bench;

import dev.tandem.core.event.Event;
import dev.tandem.core.event.EventCodec;
import dev.tandem.core.event.EventType;
import dev.tandem.core.view.RealtimeCodec;
import dev.tandem.datasets.generate.EventFactory;
import dev.tandem.datasets.generate.GeneratorConfig;
import dev.tandem.kafka.LocalKafka;
import dev.tandem.speed.SpeedConfig;
import dev.tandem.speed.SpeedJob;
import dev.tandem.speed.io.KafkaIo;
import dev.tandem.speed.logic.IngestTimeWatermarks;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The speed layer's benchmark: the job (exactly once, 1 s checkpoints, heap state) and the broker
 * in one JVM on this machine, fed by the datasets generator's realistic mix.
 * <ul>
 *   <li>{@code throughput N}: N events are in the log before the job starts; the figure is the rate
 *       at which the job's checkpointed (= committed) source offsets advance between 10 % and 90 %.</li>
 *   <li>{@code freshness RATE SECONDS [WARMUP]}: events at RATE/s; every 20 ms a probe search with a
 *       unique term is sent; its freshness is the time from its LogAppendTime to the moment a
 *       read_committed consumer of the changelog sees the probe's key. The figure is the SECONDS
 *       after WARMUP (20) seconds of the same load; the load goes on 5 s after the last probe.</li>
 * </ul>
 * Run (see docs/BENCHMARKS.md): {@code java -cp ... dev.tandem.speed.bench.SpeedBench throughput 2000000}.
 */
public final class SpeedBench {

    private SpeedBench() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "throughput";
        Path dir = Files.createTempDirectory("speed-bench");
        String backend = System.getProperty("backend", "hashmap");
        try (LocalKafka kafka = LocalKafka.start(dir.resolve("kafka"))) {
            SpeedConfig config = SpeedConfig.defaults().withStateBackend(backend, null)
                    .withCheckpointIntervalMs(Long.getLong("checkpoint", 1000))
                    .withStateChangelog(Boolean.getBoolean("changelog"), Long.getLong("materialization", 600_000));
            System.out.printf("machine: %d cores, %s; state backend %s; parallelism %d; %s%n",
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), backend,
                    Integer.getInteger("parallelism", 2), config);
            switch (mode) {
                case "throughput" -> throughput(kafka, config, args.length > 1 ? Long.parseLong(args[1]) : 1_000_000);
                case "freshness" -> freshness(kafka, config, args.length > 1 ? Integer.parseInt(args[1]) : 10_000,
                        args.length > 2 ? Integer.parseInt(args[2]) : 60, args.length > 3 ? Integer.parseInt(args[3]) : 20);
                default -> throw new IllegalArgumentException("mode: throughput N | freshness RATE SECONDS [WARMUP_SECONDS]");
            }
        }
        try (var paths = Files.walk(dir)) { // the broker's log and the job's scratch files
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        System.exit(0);
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private static JobClient startJob(LocalKafka kafka, SpeedConfig config) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(SpeedJob.flinkConfiguration(config));
        env.setParallelism(Integer.getInteger("parallelism", 2));
        SpeedJob.configure(env, config);
        String b = kafka.bootstrapServers();
        return new SpeedJob(config, KafkaIo.eventsSource(b, config),
                IngestTimeWatermarks.strategy(config.idleWatermarkDelayMs(), config.idleWatermarkGraceMs(), Long.getLong("drift", 0)),
                KafkaIo.changelogSink(b, config), KafkaIo.dlqSink(b, config)).executeAsync(env);
    }

    static void throughput(LocalKafka kafka, SpeedConfig config, long n) throws Exception {
        EventFactory factory = new EventFactory(GeneratorConfig.defaults(7, 86_400_000L), new SplittableRandom(7));
        AtomicReference<Exception> failed = new AtomicReference<>();
        long t0 = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = producer(kafka.bootstrapServers())) {
            for (long i = 0; i < n; i++) {
                EventFactory.Made m = factory.next(System.currentTimeMillis());
                producer.send(new ProducerRecord<>(config.eventsTopic(), m.key(), m.value()), (md, e) -> {
                    if (e != null) {
                        failed.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
        }
        if (failed.get() != null) {
            throw failed.get();
        }
        double produceS = (System.nanoTime() - t0) / 1e9;
        System.out.printf("produced %,d events in %.1f s (%,.0f/s) before the job started%n", n, produceS, n / produceS);

        long submit = System.nanoTime();
        JobClient job = startJob(kafka, config);
        List<long[]> samples = new ArrayList<>(); // (nanos, committed offset sum, process CPU nanos)
        ThreadCpu at10 = null;
        ThreadCpu at90 = null;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            long committed = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
            while (committed < n && System.nanoTime() < deadline) {
                Thread.sleep(250);
                Map<TopicPartition, OffsetAndMetadata> offsets =
                        admin.listConsumerGroupOffsets(config.consumerGroup()).partitionsToOffsetAndMetadata().get();
                committed = offsets.values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
                samples.add(new long[] {System.nanoTime(), committed, cpuNanos()});
                if (at10 == null && committed >= n / 10) {
                    at10 = ThreadCpu.snapshot();
                }
                if (at90 == null && committed >= n * 9 / 10) {
                    at90 = ThreadCpu.snapshot();
                }
            }
        } finally {
            job.cancel().get();
        }
        long[] s10 = crossing(samples, n / 10);
        long[] s90 = crossing(samples, n * 9 / 10);
        long t10 = s10[0];
        long t90 = s90[0];
        double sustained = (s90[1] - s10[1]) / ((t90 - t10) / 1e9);
        double perCpuSecond = (s90[1] - s10[1]) / ((s90[2] - s10[2]) / 1e9);
        double total = n / ((samples.get(samples.size() - 1)[0] - submit) / 1e9);
        System.out.printf("RESULT throughput: %,.0f events/s sustained (10%%..90%% of %,d committed), "
                + "%,.0f events/s including job start; %,.0f events per CPU-second of this JVM (job + broker); "
                + "load average %.1f; %s%n", sustained, n, total, perCpuSecond,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), Instant.now());
        long[] s50 = crossing(samples, n / 2);
        System.out.printf("RESULT throughput, second half only (50%%..90%%: a warmer JIT, a larger state): "
                + "%,.0f events/s, %,.0f events per CPU-second, %.1f µs of CPU per event, over %.1f s%n",
                (s90[1] - s50[1]) / ((s90[0] - s50[0]) / 1e9), (s90[1] - s50[1]) / ((s90[2] - s50[2]) / 1e9),
                (s90[2] - s50[2]) / 1e3 / (s90[1] - s50[1]), (s90[0] - s50[0]) / 1e9);
        // how the rate develops through the backlog (JIT warm-up, growing state): each tenth of it
        StringBuilder tenths = new StringBuilder("RESULT per tenth of the backlog (k events/s | µs CPU per event):");
        for (int d = 1; d < 9; d++) {
            long[] a = crossing(samples, n * d / 10);
            long[] b = crossing(samples, n * (d + 1) / 10);
            tenths.append(String.format(" %d-%d%%: %.1f|%.1f", d * 10, d * 10 + 10,
                    (b[1] - a[1]) / ((b[0] - a[0]) / 1e9) / 1e3, (b[2] - a[2]) / 1e3 / Math.max(1, b[1] - a[1])));
        }
        System.out.println(tenths);
        if (at10 != null && at90 != null) {
            at90.printSince(at10, s90[2] - s10[2], s90[1] - s10[1]);
        }
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long[] crossing(List<long[]> samples, long value) {
        for (long[] s : samples) {
            if (s[1] >= value) {
                return s;
            }
        }
        throw new IllegalStateException("never reached " + value);
    }

    /**
     * RATE events/s for WARMUP + SECONDS + {@link #TAIL_S} s. Probes run from the start of the load
     * until WARMUP + SECONDS, so the last ones are committed while the load still runs (no silent
     * partitions at the end); the figure is the probes of the SECONDS after the warm-up (steady
     * state), and the whole probed run (cold JVM, JIT warming up under load) is printed too.
     */
    static void freshness(LocalKafka kafka, SpeedConfig config, int rate, int seconds, int warmupSeconds) throws Exception {
        JobClient job = startJob(kafka, config);
        Thread.sleep(8000); // job start, first checkpoint
        Map<Integer, Long> appended = new ConcurrentHashMap<>();
        Map<Integer, Long> seen = new ConcurrentHashMap<>();
        Thread reader = new Thread(() -> readProbes(kafka, config, appended, seen), "probe-reader");
        reader.setDaemon(true);
        reader.start();
        EventFactory factory = new EventFactory(GeneratorConfig.defaults(11, 86_400_000L), new SplittableRandom(11));
        AtomicReference<Exception> failed = new AtomicReference<>();
        int probes = 0;
        long sent = 0;
        double loadAtStart = loadAverage();
        double loadAtWarm = 0;
        try (KafkaProducer<String, byte[]> producer = producer(kafka.bootstrapServers())) {
            long start = System.nanoTime();
            long probesEnd = start + Duration.ofSeconds(warmupSeconds + seconds).toNanos();
            long warm = start + Duration.ofSeconds(warmupSeconds).toNanos();
            long end = probesEnd + Duration.ofSeconds(TAIL_S).toNanos();
            long tick = 0;
            while (System.nanoTime() < end) {
                long due = start + tick * 10_000_000L; // every 10 ms: rate/100 events
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                for (int i = 0; i < rate / 100; i++) {
                    EventFactory.Made m = factory.next(System.currentTimeMillis());
                    producer.send(new ProducerRecord<>(config.eventsTopic(), m.key(), m.value()), (md, e) -> {
                        if (e != null) {
                            failed.compareAndSet(null, e);
                        }
                    });
                    sent++;
                }
                if (loadAtWarm == 0 && due >= warm) {
                    loadAtWarm = loadAverage();
                }
                if (tick % (PROBE_EVERY_MS / 10) == 0 && due < probesEnd) {
                    int k = probes++;
                    Event probe = Event.builder().eventId("probe-" + k).eventType(EventType.SEARCH)
                            .eventTime(System.currentTimeMillis()).userId("prober").query("probe" + k).build();
                    producer.send(new ProducerRecord<>(config.eventsTopic(), "prober" + (k % 16), EventCodec.get().encode(probe)),
                            (md, e) -> {
                                if (e != null) {
                                    failed.compareAndSet(null, e);
                                } else {
                                    appended.put(k, md.timestamp());
                                }
                            });
                }
                tick++;
            }
            producer.flush();
        }
        if (failed.get() != null) {
            throw failed.get();
        }
        double loadAtEnd = loadAverage();
        Thread.sleep(10_000); // stragglers (none expected: the load ran TAIL_S beyond the last probe)
        job.cancel().get();
        int warmProbes = warmupSeconds * 1000 / PROBE_EVERY_MS;
        List<Long> all = latencies(appended, seen, 0, probes);
        List<Long> steady = latencies(appended, seen, Math.min(warmProbes, probes), probes);
        System.out.printf("sent %,d events (%,d/s target for %d s warm-up + %d s measured + %d s tail) + %d probes; "
                        + "%d of %d probes seen committed (%d of %d measured); load average %.1f / %.1f / %.1f "
                        + "(start / end of warm-up / end)%n", sent, rate, warmupSeconds, seconds, TAIL_S, probes,
                all.size(), probes, steady.size(), probes - Math.min(warmProbes, probes), loadAtStart, loadAtWarm, loadAtEnd);
        System.out.printf("RESULT freshness at %,d events/s, steady state (%d s after a %d s warm-up): "
                        + "p50 %d ms, p90 %d ms, p99 %d ms, max %d ms (%d probes); %s%n", rate, seconds, warmupSeconds,
                pct(steady, 0.5), pct(steady, 0.9), pct(steady, 0.99), steady.get(steady.size() - 1), steady.size(), Instant.now());
        System.out.printf("RESULT freshness at %,d events/s, cold start (whole probed run incl. warm-up, %d s): "
                        + "p50 %d ms, p90 %d ms, p99 %d ms, max %d ms (%d probes)%n", rate, warmupSeconds + seconds,
                pct(all, 0.5), pct(all, 0.9), pct(all, 0.99), all.get(all.size() - 1), all.size());
        StringBuilder windows = new StringBuilder("p99 per 5 s of load (warm-up first):");
        for (int from = 0; from < probes; from += 5_000 / PROBE_EVERY_MS) {
            List<Long> w = latencies(appended, seen, from, Math.min(probes, from + 5_000 / PROBE_EVERY_MS));
            windows.append(from == warmProbes ? " |" : "").append(w.isEmpty() ? " -" : " " + pct(w, 0.99));
        }
        System.out.println(windows.append(" ms"));
    }

    /** Seconds of load after the last probe. */
    private static final int TAIL_S = 5;

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static final int PROBE_EVERY_MS = 20;

    /** Freshness of probes [from, to) that were seen, sorted. */
    private static List<Long> latencies(Map<Integer, Long> appended, Map<Integer, Long> seen, int from, int to) {
        List<Long> latencies = new ArrayList<>();
        for (int k = from; k < to; k++) {
            Long a = appended.get(k);
            Long at = seen.get(k);
            if (a != null && at != null) {
                latencies.add(at - a);
            }
        }
        Collections.sort(latencies);
        return latencies;
    }

    private static long pct(List<Long> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static void readProbes(LocalKafka kafka, SpeedConfig config, Map<Integer, Long> appended, Map<Integer, Long> seen) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(config.viewsTopic()).stream()
                    .map(i -> new TopicPartition(config.viewsTopic(), i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            while (!Thread.currentThread().isInterrupted()) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(20))) {
                    long now = System.currentTimeMillis();
                    RealtimeCodec.RealtimeKey key = RealtimeCodec.decodeKey(r.key());
                    if (key.view().equals("search_terms_daily") && key.key().dims().get(0).startsWith("probe")) {
                        seen.putIfAbsent(Integer.parseInt(key.key().dims().get(0).substring(5)), now);
                    }
                }
            }
        }
    }
}
