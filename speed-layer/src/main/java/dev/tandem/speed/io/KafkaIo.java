package dev.tandem.speed.io;

import dev.tandem.core.topics.Topics;
import dev.tandem.speed.SpeedConfig;
import dev.tandem.speed.model.ChangelogEntry;
import dev.tandem.speed.model.RawRecord;
import dev.tandem.speed.model.Rejected;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The production I/O of the speed layer: the Kafka source of {@code tandem.events} and the two
 * exactly-once Kafka sinks. Only {@code main}/the CLI and the Kafka tests wire these; the job itself
 * takes any source and sinks.
 */
public final class KafkaIo {

    /** Must stay ≤ the broker's transaction.max.timeout.ms (15 min by default); covers a few failed checkpoints. */
    public static final String TRANSACTION_TIMEOUT_MS = "120000";
    public static final String INGEST_TIME_HEADER = "tandem.ingest_time";
    public static final String POSITION_HEADER = "tandem.position";

    private KafkaIo() {
    }

    /**
     * Reads {@code tandem.events}. A fresh start begins at (now − retention): older records could only
     * feed tags that have already left the speed layer. A restore resumes at the checkpointed offsets.
     */
    public static KafkaSource<RawRecord> eventsSource(String bootstrap, SpeedConfig config) {
        return KafkaSource.<RawRecord>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(config.eventsTopic())
                .setGroupId(config.consumerGroup())
                .setStartingOffsets(OffsetsInitializer.timestamp(System.currentTimeMillis() - config.retentionMs()))
                .setDeserializer(new RawRecordDeserializer())
                .setProperty("isolation.level", "read_committed")
                .build();
    }

    /** The changelog sink: key and value per RealtimeCodec, in Kafka transactions committed on checkpoints. */
    public static KafkaSink<ChangelogEntry> changelogSink(String bootstrap, SpeedConfig config) {
        return KafkaSink.<ChangelogEntry>builder()
                .setBootstrapServers(bootstrap)
                .setRecordSerializer(new ChangelogSerializer(config.viewsTopic()))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(config.transactionalIdPrefix() + "-views")
                .setProperty("transaction.timeout.ms", TRANSACTION_TIMEOUT_MS)
                .setProperty("linger.ms", "5")
                .build();
    }

    /** The DLQ sink: raw bytes, reason and detail headers, the original position; also exactly once. */
    public static KafkaSink<Rejected> dlqSink(String bootstrap, SpeedConfig config) {
        return KafkaSink.<Rejected>builder()
                .setBootstrapServers(bootstrap)
                .setRecordSerializer(new DlqSerializer(config.dlqTopic()))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(config.transactionalIdPrefix() + "-dlq")
                .setProperty("transaction.timeout.ms", TRANSACTION_TIMEOUT_MS)
                .build();
    }

    /** (value, timestamp = ingest time, partition, offset) of each consumer record. */
    public static final class RawRecordDeserializer implements KafkaRecordDeserializationSchema<RawRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<RawRecord> out) {
            out.collect(new RawRecord(r.value(), r.timestamp(), r.partition(), r.offset()));
        }

        @Override
        public TypeInformation<RawRecord> getProducedType() {
            return TypeInformation.of(RawRecord.class);
        }
    }

    /**
     * No record timestamp is set, so the producer stamps the send time: event-time stamps would be
     * hours old and could be deleted by time retention (VERSIONS.md).
     */
    static final class ChangelogSerializer implements KafkaRecordSerializationSchema<ChangelogEntry> {
        private static final long serialVersionUID = 1L;
        private final String topic;

        ChangelogSerializer(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(ChangelogEntry e, KafkaSinkContext ctx, Long timestamp) {
            return new ProducerRecord<>(topic, null, null, e.key, e.value);
        }
    }

    static final class DlqSerializer implements KafkaRecordSerializationSchema<Rejected> {
        private static final long serialVersionUID = 1L;
        private final String topic;

        DlqSerializer(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(Rejected r, KafkaSinkContext ctx, Long timestamp) {
            String position = r.partition + ":" + r.offset;
            RecordHeaders headers = new RecordHeaders(List.of(
                    new RecordHeader(Topics.DLQ_REASON_HEADER, utf8(r.reason)),
                    new RecordHeader(Topics.DLQ_DETAIL_HEADER, utf8(r.detail == null ? "" : r.detail)),
                    new RecordHeader(INGEST_TIME_HEADER, utf8(Long.toString(r.ingestTime))),
                    new RecordHeader(POSITION_HEADER, utf8(position))));
            return new ProducerRecord<>(topic, null, null, utf8(position), r.raw, headers);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
