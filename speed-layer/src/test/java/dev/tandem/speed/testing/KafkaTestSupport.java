package dev.tandem.speed.testing;

import dev.tandem.core.event.LogRecord;
import dev.tandem.speed.SpeedConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/** Topics per test, producing with checked futures, reading the log back, reading committed output. */
public final class KafkaTestSupport {

    public static final int EVENT_PARTITIONS = 4;

    private KafkaTestSupport() {
    }

    /** Fresh topics with the production settings (LogAppendTime; compacted changelog) and a config using them. */
    public static SpeedConfig topicsFor(String bootstrap, String name, SpeedConfig base) throws Exception {
        String events = "events-" + name;
        String views = "views-" + name;
        String dlq = "dlq-" + name;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(
                    new NewTopic(events, EVENT_PARTITIONS, (short) 1).configs(Map.of("message.timestamp.type", "LogAppendTime")),
                    new NewTopic(views, 4, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                    new NewTopic(dlq, 1, (short) 1))).all().get();
            long deadline = System.currentTimeMillis() + 30_000;
            while (!admin.describeTopics(List.of(events, views, dlq)).allTopicNames().get().values().stream()
                    .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null))) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("no leaders for " + name);
                }
                Thread.sleep(50);
            }
        }
        return base.withTopics(events, views, dlq, "tx-" + name, "group-" + name);
    }

    public static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // not idempotent: right after topic creation an idempotent producer can get stuck on
        // OUT_OF_ORDER_SEQUENCE_NUMBER until the delivery timeout (VERSIONS.md). A retry may then
        // duplicate a record, which is fine: the reference is built from the log read back.
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends the values to the partitions the generator chose and waits for every acknowledgement. */
    public static void produce(KafkaProducer<byte[], byte[]> producer, String topic, List<TestLogs.Produced> values)
            throws Exception {
        List<Future<RecordMetadata>> acks = new ArrayList<>(values.size());
        for (TestLogs.Produced v : values) {
            acks.add(producer.send(new ProducerRecord<>(topic, v.partition() % EVENT_PARTITIONS, null,
                    v.key() == null ? null : v.key().getBytes(java.nio.charset.StandardCharsets.UTF_8), v.value())));
        }
        for (Future<RecordMetadata> f : acks) {
            f.get();
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = c.partitionsFor(topic).stream()
                .map(i -> new TopicPartition(topic, i.partition())).toList();
        c.assign(parts);
        c.seekToBeginning(parts);
        return c;
    }

    /** Everything the topic holds now, read back with the broker's timestamps and positions. */
    public static List<LogRecord> readLog(String bootstrap, String topic) {
        List<LogRecord> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap, topic)) {
            Map<TopicPartition, Long> end = c.endOffsets(c.assignment());
            while (end.entrySet().stream().anyMatch(e -> c.position(e.getKey()) < e.getValue())) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.add(new LogRecord(r.value(), r.timestamp(), r.partition(), r.offset()));
                }
            }
        }
        return out;
    }

    /** A read_committed reader of an output topic that keeps its position between polls. */
    public static final class CommittedReader implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();

        public CommittedReader(String bootstrap, String topic) {
            this.consumer = consumer(bootstrap, topic);
        }

        /** Polls what has been committed since the last call. */
        public List<ConsumerRecord<byte[], byte[]>> poll() {
            List<ConsumerRecord<byte[], byte[]>> fresh = new ArrayList<>();
            consumer.poll(Duration.ofMillis(200)).forEach(fresh::add);
            records.addAll(fresh);
            return fresh;
        }

        public List<ConsumerRecord<byte[], byte[]>> all() {
            return records;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    /** Polls until the condition holds; false on timeout. */
    public static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        return condition.getAsBoolean();
    }
}
