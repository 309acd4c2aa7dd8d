package dev.tandem.batch.archive;

import dev.tandem.batch.spark.MasterRows;
import dev.tandem.batch.testkit.LocalSpark;
import dev.tandem.core.event.EventCodec;
import dev.tandem.core.event.EventSchemas;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.testkit.RandomLogs;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.topics.Topics;
import dev.tandem.kafka.LocalKafka;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** archive against a real in-process broker: exactly once across a rerun and a crash mid-hour. */
@ExtendWith(LocalSpark.class)
@Tag("slow")
class ArchiveJobTest {

    @TempDir
    java.nio.file.Path dir;

    @Test
    void archivesCompleteHoursExactlyOnceAndReconciles(SparkSession spark) throws Exception {
        try (LocalKafka kafka = LocalKafka.start(dir.resolve("kafka"))) {
            // what producers send: v1/v2 events (valid, invalid, retried copies) and garbage
            List<byte[]> sent = new ArrayList<>();
            Map<String, Integer> validCopies = new HashMap<>();
            long garbage = 0;
            for (IngestedEvent ie : RandomLogs.generate(5, 300, IngestTags.tagOf(System.currentTimeMillis()))) {
                byte[] bytes;
                try {
                    bytes = ie.event().currency().equals("USD") && ie.offset() % 2 == 0
                            ? EventCodec.get().encode(ie.event(), EventSchemas.V1) : EventCodec.get().encode(ie.event());
                } catch (IllegalArgumentException e) {
                    bytes = ("{not avro: " + ie.event().eventId() + "}").getBytes(StandardCharsets.UTF_8);
                    garbage++;
                }
                sent.add(bytes);
            }
            assertThat(garbage).isPositive();
            produce(kafka.bootstrapServers(), sent);

            StorageLayout layout = StorageLayout.at(dir.resolve("data").toString());
            // every hour so far is complete for a clock two hours ahead
            Clock later = Clock.offset(Clock.systemUTC(), Duration.ofHours(2));
            List<ArchiveJob.HourResult> first;
            try (KafkaLogSource source = new KafkaLogSource(kafka.bootstrapServers(), Topics.EVENTS, Duration.ofSeconds(60))) {
                first = new ArchiveJob(spark, layout, source, later, Duration.ZERO, ArchiveJob.Hooks.NONE).run(OptionalLong.empty());
            }
            long records = first.stream().mapToLong(ArchiveJob.HourResult::records).sum();
            long archived = first.stream().mapToLong(ArchiveJob.HourResult::archived).sum();
            long quarantined = first.stream().mapToLong(ArchiveJob.HourResult::quarantined).sum();
            assertThat(records).isEqualTo(sent.size());
            assertThat(archived + quarantined).isEqualTo(records);
            for (ArchiveJob.HourResult r : first) {
                assertThat(layout.isHourComplete(r.hour())).isTrue();
                assertThat(r.archived() + r.quarantined()).as("hour %s reconciles", r).isEqualTo(r.records());
            }
            TreeMap<String, Row> rows = masterRows(spark, layout);
            assertThat(rows).hasSize((int) archived);
            assertThat(quarantineReasons(spark, layout)).containsKey("undecodable");
            // every valid record is a master row with the broker's ingest time and its position
            for (Row r : rows.values()) {
                IngestedEvent ie = MasterRows.toIngestedEvent(r);
                assertThat(IngestTags.tagOf(ie.ingestTime())).isIn(first.stream().map(ArchiveJob.HourResult::hour).toList());
            }

            // a rerun changes nothing
            try (KafkaLogSource source = new KafkaLogSource(kafka.bootstrapServers(), Topics.EVENTS, Duration.ofSeconds(60))) {
                List<ArchiveJob.HourResult> again = new ArchiveJob(spark, layout, source, later, Duration.ZERO,
                        ArchiveJob.Hooks.NONE).run(OptionalLong.empty());
                assertThat(again).allMatch(ArchiveJob.HourResult::skipped);
            }
            assertThat(masterRows(spark, layout).keySet()).isEqualTo(rows.keySet());

            // a crash mid-hour (master files written, no quarantine, no _SUCCESS) is redone whole
            long hour = first.get(0).hour();
            layout.fs().delete(new Path(layout.masterHourDir(hour), StorageLayout.SUCCESS), false);
            layout.fs().delete(layout.quarantineHourDir(hour), true);
            try (KafkaLogSource source = new KafkaLogSource(kafka.bootstrapServers(), Topics.EVENTS, Duration.ofSeconds(60))) {
                ArchiveJob crashing = new ArchiveJob(spark, layout, source, later, Duration.ZERO, h -> {
                    throw new IllegalStateException("killed mid-hour");
                });
                assertThatThrownBy(() -> crashing.run(OptionalLong.empty())).hasMessageContaining("killed mid-hour");
                assertThat(layout.isHourComplete(hour)).isFalse();
                List<ArchiveJob.HourResult> redo = new ArchiveJob(spark, layout, source, later, Duration.ZERO,
                        ArchiveJob.Hooks.NONE).run(OptionalLong.empty());
                assertThat(redo.get(0)).isEqualTo(first.get(0));
            }
            assertThat(masterRows(spark, layout).keySet()).isEqualTo(rows.keySet());
            assertThat(quarantineReasons(spark, layout).values().stream().mapToLong(Long::longValue).sum()).isEqualTo(quarantined);
        }
    }

    private static void produce(String bootstrap, List<byte[]> values) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<?>> acks = new ArrayList<>();
            int i = 0;
            for (byte[] v : values) {
                acks.add(producer.send(new ProducerRecord<>(Topics.EVENTS, ("k" + (i++ % 17)).getBytes(StandardCharsets.UTF_8), v)));
            }
            for (Future<?> f : acks) {
                f.get();
            }
        }
    }

    /** Master rows by log position. */
    private static TreeMap<String, Row> masterRows(SparkSession spark, StorageLayout layout) throws IOException {
        TreeMap<String, Row> out = new TreeMap<>();
        List<String> files = new ArrayList<>();
        for (long h : layout.completeHours()) {
            layout.masterHourFiles(h).forEach(f -> files.add(f.toString()));
        }
        for (Row r : spark.read().schema(MasterRows.MASTER).parquet(files.toArray(new String[0])).collectAsList()) {
            String key = r.getAs("kafka_partition") + "@" + r.getAs("kafka_offset");
            assertThat(out.put(key + " " + r.getAs("event_id"), r)).as("position %s archived twice", key).isNull();
        }
        return out;
    }

    private static Map<String, Long> quarantineReasons(SparkSession spark, StorageLayout layout) {
        Map<String, Long> out = new TreeMap<>();
        for (Row r : spark.read().schema(ArchiveJob.QUARANTINE).parquet(layout.quarantineDir() + "/ingest_hour=*/*.parquet")
                .groupBy("reason").count().collectAsList()) {
            out.put(r.getString(0), r.getLong(1));
        }
        return out;
    }
}
