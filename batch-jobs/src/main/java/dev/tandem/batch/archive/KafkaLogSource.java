package dev.tandem.batch.archive;

import dev.tandem.core.event.LogRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;

/**
 * {@code tandem.events} read by offset ranges found from timestamps. The topic stamps records with
 * LogAppendTime, so timestamps never decrease within a partition and an ingest hour of a
 * partition is exactly the offsets [offsetsForTimes(h), offsetsForTimes(h + 1h)). Reading fixed
 * offset ranges makes a rerun read the same records. Consumers use {@code read_committed} and no
 * consumer group (nothing is committed to Kafka: the master dataset's {@code _SUCCESS} is the
 * only progress marker).
 */
public final class KafkaLogSource implements LogSource {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final Duration pollTimeout = Duration.ofMillis(500);
    private final Duration readTimeout;

    public KafkaLogSource(String bootstrap, String topic, Duration readTimeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "tandem-archive");
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.readTimeout = readTimeout;
    }

    private List<TopicPartition> partitions() {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist");
        }
        List<TopicPartition> out = new ArrayList<>();
        infos.forEach(i -> out.add(new TopicPartition(topic, i.partition())));
        out.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
        return out;
    }

    @Override
    public OptionalLong earliestIngestTime() {
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions().forEach(tp -> query.put(tp, 0L));
        long min = Long.MAX_VALUE;
        for (OffsetAndTimestamp ot : consumer.offsetsForTimes(query, Duration.ofSeconds(30)).values()) {
            if (ot != null) {
                min = Math.min(min, ot.timestamp());
            }
        }
        return min == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(min);
    }

    private Map<TopicPartition, Long> offsetsAt(List<TopicPartition> tps, long time, Map<TopicPartition, Long> ends) {
        Map<TopicPartition, Long> query = new HashMap<>();
        tps.forEach(tp -> query.put(tp, time));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, Duration.ofSeconds(30));
        Map<TopicPartition, Long> out = new HashMap<>();
        for (TopicPartition tp : tps) {
            OffsetAndTimestamp ot = found.get(tp);
            out.put(tp, ot == null ? ends.get(tp) : ot.offset());
        }
        return out;
    }

    @Override
    public List<LogRecord> read(long from, long to) {
        List<TopicPartition> tps = partitions();
        Map<TopicPartition, Long> ends = consumer.endOffsets(tps, Duration.ofSeconds(30));
        Map<TopicPartition, Long> start = offsetsAt(tps, from, ends);
        Map<TopicPartition, Long> stop = offsetsAt(tps, to, ends);
        List<LogRecord> out = new ArrayList<>();
        for (TopicPartition tp : tps) {
            long s = start.get(tp);
            long e = stop.get(tp);
            if (s >= e) {
                continue;
            }
            consumer.assign(List.of(tp));
            consumer.seek(tp, s);
            long deadline = System.nanoTime() + readTimeout.toNanos();
            while (consumer.position(tp) < e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out reading " + tp + " offsets [" + s + ", " + e + ")");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(pollTimeout)) {
                    if (r.offset() >= e) {
                        break;
                    }
                    if (r.timestampType() != TimestampType.LOG_APPEND_TIME) {
                        throw new IllegalStateException(topic + " must use message.timestamp.type=LogAppendTime"
                                + " (ingest time is the broker's clock); record " + tp + "@" + r.offset()
                                + " has " + r.timestampType());
                    }
                    if (r.timestamp() >= from && r.timestamp() < to) {
                        out.add(new LogRecord(r.value(), r.timestamp(), r.partition(), r.offset()));
                    }
                }
            }
        }
        consumer.assign(List.of());
        return out;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
