package dev.tandem.kafka;

import dev.tandem.core.topics.Topics;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

/**
 * A single-node Kafka 4 broker (KRaft, broker and controller in one) inside this JVM, bound to
 * 127.0.0.1, with Tandem's topics. Used by {@code scripts/tandem kafka}, the demo and the tests of
 * every module. State lives under the given directory, so a restart on the same directory resumes
 * the same log (same cluster id, same offsets).
 */
public final class LocalKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalKafka.class);

    /** Partitions of {@code tandem.events}: enough to exercise keyed order and rebalancing on 2 cores. */
    public static final int EVENT_PARTITIONS = 4;
    public static final int VIEW_PARTITIONS = 4;

    private final KafkaRaftServer server;
    private final String bootstrap;
    private final Path dir;
    private final BrokerClock clock;

    private LocalKafka(KafkaRaftServer server, String bootstrap, Path dir, BrokerClock clock) {
        this.server = server;
        this.bootstrap = bootstrap;
        this.dir = dir;
        this.clock = clock;
    }

    /** Starts on free ports under {@code dir} and creates the topics. */
    public static LocalKafka start(Path dir) {
        return start(dir, 0, 0);
    }

    /**
     * @param port           the client port (0 = any free port)
     * @param controllerPort the KRaft controller port (0 = any free port)
     */
    public static LocalKafka start(Path dir, int port, int controllerPort) {
        return start(dir, port, controllerPort, new BrokerClock());
    }

    /** As {@link #start(Path, int, int)}, with a broker clock the caller may move forward. */
    public static LocalKafka start(Path dir, int port, int controllerPort, BrokerClock clock) {
        try {
            Files.createDirectories(dir);
            int p = port == 0 ? freePort() : port;
            int c = controllerPort == 0 ? freePort() : controllerPort;
            Path logDir = dir.resolve("kraft-logs");
            Properties props = brokerProperties(p, c, logDir);
            formatIfNew(dir, logDir, props);
            long t0 = System.nanoTime();
            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), clock);
            server.startup();
            LocalKafka kafka = new LocalKafka(server, "127.0.0.1:" + p, dir, clock);
            kafka.createTandemTopics();
            LOG.info("Kafka broker up at {} (state in {}) in {} ms", kafka.bootstrap, dir,
                    (System.nanoTime() - t0) / 1_000_000);
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the local Kafka broker in " + dir, e);
        }
    }

    public String bootstrapServers() {
        return bootstrap;
    }

    public Path dir() {
        return dir;
    }

    /** The broker's wall clock: LogAppendTime comes from it. */
    public BrokerClock clock() {
        return clock;
    }

    /** Admin client settings for this broker. */
    public Map<String, Object> clientConfig() {
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    }

    /**
     * Creates Tandem's topics if missing and waits until every partition has a leader: producing
     * right after creation otherwise loses records to NOT_LEADER_OR_FOLLOWER retries.
     */
    public void createTandemTopics() {
        List<NewTopic> topics = List.of(
                new NewTopic(Topics.EVENTS, EVENT_PARTITIONS, (short) 1).configs(Map.of(
                        // ingest time is the broker's clock, assigned once (DESIGN §3)
                        "message.timestamp.type", "LogAppendTime",
                        // the log is the source of truth until archived: keep it a week
                        "retention.ms", Long.toString(Duration.ofDays(7).toMillis()))),
                new NewTopic(Topics.REALTIME_VIEWS, VIEW_PARTITIONS, (short) 1).configs(Map.of(
                        "cleanup.policy", "compact",
                        "segment.ms", Long.toString(Duration.ofMinutes(10).toMillis()),
                        "min.cleanable.dirty.ratio", "0.1")),
                new NewTopic(Topics.EVENTS_DLQ, 1, (short) 1).configs(Map.of(
                        "retention.ms", Long.toString(Duration.ofDays(7).toMillis()))));
        try (Admin admin = Admin.create(clientConfig())) {
            for (NewTopic t : topics) {
                try {
                    admin.createTopics(List.of(t)).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            awaitLeaders(admin, topics.stream().map(NewTopic::name).toList());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create topics: " + e.getCause(), e.getCause());
        }
    }

    private static void awaitLeaders(Admin admin, List<String> names) throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            boolean ready = true;
            try {
                for (TopicDescription d : admin.describeTopics(names).allTopicNames().get().values()) {
                    ready &= d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                }
            } catch (ExecutionException e) {
                // metadata of a just-created topic reaches the broker a moment later
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                ready = false;
            }
            if (ready) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("partitions of " + names + " have no leader after 30 s");
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        LOG.info("Kafka broker at {} stopped", bootstrap);
    }

    static Properties brokerProperties(int port, int controllerPort, Path logDir) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("auto.create.topics.enable", "false");
        p.put("group.initial.rebalance.delay.ms", "0");
        // a laptop-sized broker: two cores are shared with Spark, Flink and the server
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("log.cleaner.threads", "1");
        p.put("log.cleaner.dedupe.buffer.size", Long.toString(16L * 1024 * 1024));
        // tests move the broker clock forward by hours; open transactions must survive that
        p.put("transaction.max.timeout.ms", Long.toString(Duration.ofDays(1).toMillis()));
        return p;
    }

    /** Formats the log directory once; a directory already formatted keeps its cluster id and data. */
    private static void formatIfNew(Path dir, Path logDir, Properties props) throws IOException {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        Path propsFile = dir.resolve("server.properties");
        try (Writer w = Files.newBufferedWriter(propsFile, StandardCharsets.UTF_8)) {
            props.store(w, "Tandem local Kafka broker");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc;
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            rc = kafka.tools.StorageTool.execute(new String[] {
                    "format", "-t", Uuid.randomUuid().toString(), "-c", propsFile.toString(), "--standalone"}, ps);
        }
        if (rc != 0) {
            throw new IOException("formatting " + logDir + " failed: " + out.toString(StandardCharsets.UTF_8));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Names of Tandem's topics, for printing. */
    public static List<String> topicNames() {
        return new ArrayList<>(List.of(Topics.EVENTS, Topics.REALTIME_VIEWS, Topics.EVENTS_DLQ));
    }
}
