package dev.tandem.serving.realtime;

import dev.tandem.core.topics.Topics;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;

/**
 * Consumes {@code tandem.realtime-views} into a {@link RealtimeState}. On start it assigns every
 * partition, seeks to the beginning (the topic is compacted: replaying it rebuilds the speed
 * layer's whole table) and remembers the end offsets it saw; {@link #ready()} turns true once the
 * position of every partition has reached them. Reads with {@code isolation.level=read_committed},
 * so aborted or in-flight transactions of the speed layer's exactly-once sink are never served.
 *
 * <p>No consumer group: every serving process reads the whole topic and commits nothing.
 */
public final class KafkaRealtimeStore implements RealtimeStore {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaRealtimeStore.class);

    private final String bootstrap;
    private final String topic;
    private final RealtimeState state = new RealtimeState();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile RealtimeSnapshot snapshot = RealtimeSnapshot.EMPTY;
    private volatile boolean ready;
    private volatile boolean running = true;
    private volatile long lag = -1;
    private volatile long lastRecordTime = -1;
    private volatile String lastError;
    private volatile long applied;
    private volatile long corrupt;

    public KafkaRealtimeStore(String bootstrapServers) {
        this(bootstrapServers, Topics.REALTIME_VIEWS, new Properties());
    }

    /** @param overrides extra consumer properties (security settings, timeouts) */
    public KafkaRealtimeStore(String bootstrapServers, String topic, Properties overrides) {
        this.bootstrap = bootstrapServers;
        this.topic = topic;
        this.consumer = new KafkaConsumer<>(consumerConfig(bootstrapServers, overrides));
        this.thread = new Thread(this::run, "realtime-views-consumer");
        this.thread.setDaemon(true);
    }

    static Properties consumerConfig(String bootstrapServers, Properties overrides) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        // Only committed transactions of the speed layer's exactly-once sink.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "tandem-serving");
        // Replays are bulk reads: bigger fetches, and a short poll so snapshots publish often.
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        p.putAll(overrides);
        return p;
    }

    public KafkaRealtimeStore start() {
        thread.start();
        return this;
    }

    private void run() {
        try {
            Map<TopicPartition, Long> startEnd = null;
            while (running && startEnd == null) {
                try {
                    List<PartitionInfo> parts = consumer.partitionsFor(topic, Duration.ofSeconds(5));
                    if (parts == null || parts.isEmpty()) {
                        lastError = "topic " + topic + " not found yet";
                        Thread.sleep(500);
                        continue;
                    }
                    List<TopicPartition> tps = parts.stream().map(pi -> new TopicPartition(topic, pi.partition())).toList();
                    consumer.assign(tps);
                    consumer.seekToBeginning(tps);
                    startEnd = new HashMap<>(consumer.endOffsets(tps));
                    lastError = null;
                    LOG.info("replaying {} partitions of {} up to {}", tps.size(), topic, startEnd);
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // a broker that is still starting or too busy to answer in time: not ready yet, try again
                    LOG.warn("realtime consumer cannot read {}'s partitions yet (retrying): {}", topic, e.toString());
                    lastError = e.toString();
                    Thread.sleep(1000);
                }
            }
            while (running) {
                try {
                    pollOnce(startEnd);
                    lastError = null;
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // Broker gone, topic deleted, …: keep the last snapshot in service, say why, retry.
                    if (!String.valueOf(e).equals(lastError)) {
                        LOG.error("realtime consumer error (retrying every second)", e);
                    }
                    lastError = e.toString();
                    Thread.sleep(1000);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            lastError = e.toString();
            LOG.error("realtime consumer stopped", e);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
        }
    }

    private void pollOnce(Map<TopicPartition, Long> startEnd) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if (r.key() == null) {
                state.applyRecord(new byte[0], null);
                continue;
            }
            state.applyRecord(r.key(), r.value());
            if (r.timestamp() > lastRecordTime) {
                lastRecordTime = r.timestamp();
            }
        }
        if (state.hasChanges()) {
            snapshot = state.publish();
        }
        applied = state.appliedRecords();
        corrupt = state.corruptRecords();
        long l = 0;
        boolean caughtUp = true;
        for (TopicPartition tp : consumer.assignment()) {
            OptionalLong pl = consumer.currentLag(tp);
            l += pl.orElse(0);
            if (!ready && consumer.position(tp) < startEnd.getOrDefault(tp, 0L)) {
                caughtUp = false;
            }
        }
        lag = l;
        if (!ready && caughtUp) {
            ready = true;
            LOG.info("realtime store caught up: {} entries from {} records", snapshot.entries(), applied);
        }
    }

    @Override
    public RealtimeSnapshot snapshot() {
        return snapshot;
    }

    @Override
    public boolean ready() {
        return ready;
    }

    @Override
    public RealtimeStatus status() {
        return new RealtimeStatus(bootstrap + "/" + topic, lag, lastRecordTime, applied, corrupt, lastError);
    }

    @Override
    public void close() {
        running = false;
        if (!thread.isAlive()) {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
            return;
        }
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
