package dev.tandem.kafka;

import dev.tandem.core.topics.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LocalKafkaTest {

    @TempDir
    Path dir;

    @Test
    void brokerStampsLogAppendTimeAndKeepsItsLogAcrossRestarts() throws Exception {
        long before = System.currentTimeMillis();
        List<RecordMetadata> sent = new ArrayList<>();
        try (LocalKafka kafka = LocalKafka.start(dir)) {
            try (Admin admin = Admin.create(kafka.clientConfig())) {
                assertThat(admin.listTopics().names().get()).contains(Topics.EVENTS, Topics.REALTIME_VIEWS, Topics.EVENTS_DLQ);
                ConfigResource events = new ConfigResource(ConfigResource.Type.TOPIC, Topics.EVENTS);
                ConfigResource views = new ConfigResource(ConfigResource.Type.TOPIC, Topics.REALTIME_VIEWS);
                Map<ConfigResource, Config> cfg = admin.describeConfigs(List.of(events, views)).all().get();
                assertThat(cfg.get(events).get("message.timestamp.type").value()).isEqualTo("LogAppendTime");
                assertThat(cfg.get(views).get("cleanup.policy").value()).isEqualTo("compact");
            }
            try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                    new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 10; i++) {
                    // a producer-chosen timestamp far in the past must be replaced by the broker's clock
                    sent.add(p.send(new ProducerRecord<>(Topics.EVENTS, null, 1_000L, "user" + i, "v" + i)).get());
                }
            }
        }
        assertThat(sent).allSatisfy(m -> assertThat(m.timestamp()).isGreaterThanOrEqualTo(before));

        try (LocalKafka again = LocalKafka.start(dir)) {
            List<ConsumerRecord<byte[], byte[]>> read = TopicReader.readAll(again.bootstrapServers(), Topics.EVENTS, true);
            assertThat(read).hasSize(10);
            assertThat(read).allSatisfy(r -> {
                assertThat(r.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
                assertThat(r.timestamp()).isGreaterThanOrEqualTo(before);
            });
        }
    }

    @Test
    void movingTheBrokerClockMovesIngestTime() throws Exception {
        try (LocalKafka kafka = LocalKafka.start(dir)) {
            kafka.clock().advance(java.time.Duration.ofHours(3));
            long expectedAtLeast = System.currentTimeMillis() + java.time.Duration.ofHours(3).toMillis();
            try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    new StringSerializer(), new StringSerializer())) {
                RecordMetadata m = p.send(new ProducerRecord<>(Topics.EVENTS, "k", "v")).get();
                assertThat(m.timestamp()).isBetween(expectedAtLeast, expectedAtLeast + 60_000);
            }
        }
    }
}
