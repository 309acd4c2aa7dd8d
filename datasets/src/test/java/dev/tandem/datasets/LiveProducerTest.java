package dev.tandem.datasets;

import dev.tandem.core.event.EventCodec;
import dev.tandem.core.topics.Topics;
import dev.tandem.datasets.generate.GeneratorConfig;
import dev.tandem.datasets.live.LiveProducer;
import dev.tandem.kafka.LocalKafka;
import dev.tandem.kafka.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LiveProducerTest {

    @TempDir
    Path dir;

    @Test
    void everyProducedRecordLandsInTheLogKeyedByUser() throws Exception {
        try (LocalKafka kafka = LocalKafka.start(dir)) {
            GeneratorConfig cfg = GeneratorConfig.defaults(4, 0).withRates(0.05, 0.05, 0.05);
            LiveProducer.Result result;
            try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(), new ByteArraySerializer())) {
                result = new LiveProducer(p, cfg, System::currentTimeMillis).run(500, Duration.ofSeconds(2), () -> false);
            }
            assertThat(result.sent()).isBetween(900L, 1_200L);
            List<ConsumerRecord<byte[], byte[]>> read = TopicReader.readAll(kafka.bootstrapServers(), Topics.EVENTS, false);
            assertThat(read).hasSize((int) result.sent());
            long bad = read.stream().filter(r -> !EventCodec.get().check(r.value(), r.timestamp()).isValid()).count();
            assertThat(bad).isEqualTo(result.bad());
            assertThat(read).allSatisfy(r -> assertThat(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8)).startsWith("u"));
        }
    }
}
