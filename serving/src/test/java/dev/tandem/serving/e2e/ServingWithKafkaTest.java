package dev.tandem.serving.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.reference.ReferenceEvaluator;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.testkit.RandomLogs;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.topics.Topics;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.RealtimeCodec;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewKey;
import dev.tandem.core.view.ViewTable;
import dev.tandem.core.view.Views;
import dev.tandem.kafka.LocalKafka;
import dev.tandem.serving.ServingApp;
import dev.tandem.serving.ServingConfig;
import dev.tandem.serving.query.Iso;
import dev.tandem.serving.query.Metrics;
import dev.tandem.serving.testing.BatchVersions;
import dev.tandem.serving.testing.Layers;
import dev.tandem.serving.testing.RawHttp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;

import static dev.tandem.core.testkit.TestEvents.t;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real consumer against the real in-process broker: a published batch version on disk plus
 * the speed layer's changelog written transactionally (one aborted transaction and tombstones
 * included) must serve the reference totals, and a restarted serving process must rebuild the
 * same answers from the compacted topic.
 */
@Tag("slow")
class ServingWithKafkaTest {

    static final long START = t("2026-11-20T00:00:00Z");
    static final long HOUR = IngestTags.HOUR_MS;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static LocalKafka kafka;
    static Map<String, ViewTable> tables;
    static long cutoff;
    static long end;

    @BeforeAll
    static void startBrokerAndWriteBothLayers() throws Exception {
        kafka = LocalKafka.start(dir.resolve("kafka"));
        List<IngestedEvent> log = RandomLogs.generate(31, 900, START);
        tables = ReferenceEvaluator.evaluate(log).views();
        end = IngestTags.tagOf(log.stream().mapToLong(IngestedEvent::ingestTime).max().orElseThrow()) + HOUR;
        cutoff = START + 20 * HOUR;
        BatchVersions.writeAndPublish(StorageLayout.at(dir.resolve("root").toString()), tables, cutoff);

        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "serving-test-speed-layer");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.initTransactions();
            // 1. what the speed layer holds: every tag from 3 hours below the cutoff on (retention overlaps the batch)
            producer.beginTransaction();
            List<Future<?>> sent = new ArrayList<>();
            for (ViewTable t : tables.values()) {
                t.byTag().forEach((key, tags) -> tags.forEach((tag, agg) -> {
                    if (tag >= cutoff - 3 * HOUR) {
                        sent.add(producer.send(new ProducerRecord<>(Topics.REALTIME_VIEWS,
                                RealtimeCodec.encodeKey(t.view().name(), key, tag), RealtimeCodec.encodeValue(agg))));
                    }
                }));
            }
            // a key that the speed layer later retires with a tombstone
            byte[] retired = RealtimeCodec.encodeKey("campaign_hourly", new ViewKey(List.of("retired"), cutoff), cutoff);
            sent.add(producer.send(new ProducerRecord<>(Topics.REALTIME_VIEWS, retired,
                    RealtimeCodec.encodeValue(Views.CAMPAIGN_HOURLY.zero().setLong("impressions", 99)))));
            producer.commitTransaction();
            for (Future<?> f : sent) {
                f.get();
            }
            // 2. an aborted transaction: garbage values that must never be served
            producer.beginTransaction();
            for (ViewTable t : tables.values()) {
                t.byTag().forEach((key, tags) -> tags.forEach((tag, agg) -> {
                    if (tag >= cutoff) {
                        producer.send(new ProducerRecord<>(Topics.REALTIME_VIEWS,
                                RealtimeCodec.encodeKey(t.view().name(), key, tag), RealtimeCodec.encodeValue(agg.copy().merge(agg))));
                    }
                }));
            }
            producer.flush();
            producer.abortTransaction();
            // 3. the tombstone
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(Topics.REALTIME_VIEWS, retired, null)).get();
            producer.commitTransaction();
        }
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    static ServingApp startServing() throws Exception {
        ServingApp app = ServingApp.start(new ServingConfig(dir.resolve("root").toString(), kafka.bootstrapServers(),
                "127.0.0.1", 0, "tok", Duration.ofMillis(500)));
        long deadline = System.currentTimeMillis() + 60_000;
        while (RawHttp.get(app.port(), "/readyz").status() != 200) {
            assertThat(System.currentTimeMillis()).as("ready within 60 s").isLessThan(deadline);
            Thread.sleep(100);
        }
        return app;
    }

    static Map<String, JsonNode> answers(ServingApp app) throws Exception {
        Map<String, JsonNode> out = new HashMap<>();
        String range = "from=" + Iso.format(START - 3 * IngestTags.DAY_MS) + "&to=" + Iso.format(end + IngestTags.DAY_MS - end % IngestTags.DAY_MS);
        for (ViewDefinition v : Views.ALL) {
            RawHttp.Response r = RawHttp.get(app.port(), "/api/v1/views/" + v.name() + "/series?" + range);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            out.put(v.name(), JSON.readTree(r.body()));
        }
        return out;
    }

    static void assertReferenceTotals(Map<String, JsonNode> answers) {
        for (ViewDefinition v : Views.ALL) {
            JsonNode a = answers.get(v.name());
            assertThat(a.get("warnings")).as(v.name() + " warnings").isEmpty();
            List<Map<String, Object>> rows = JSON.convertValue(a.get("rows"), new com.fasterxml.jackson.core.type.TypeReference<>() { });
            Map<ViewKey, Map<String, Object>> served = Layers.served(rows, v.dimensionNames(), Metrics.names(v));
            Map<ViewKey, Aggregate> total = tables.get(v.name()).total();
            assertThat(served).as(v.name()).isNotEmpty().isEqualTo(Layers.expected(v, total));
        }
    }

    @Test
    void servesTheReferenceTotalsAndARestartRebuildsTheSameAnswers() throws Exception {
        Map<String, JsonNode> first;
        try (ServingApp app = startServing()) {
            first = answers(app);
            assertReferenceTotals(first);
            JsonNode status = JSON.readTree(RawHttp.get(app.port(), "/api/v1/status").body());
            assertThat(status.get("coverage").get("state").asText()).isEqualTo("complete");
            assertThat(status.get("realtime").get("oldest_tag").asText()).isEqualTo(Iso.format(cutoff - 3 * HOUR));
            assertThat(status.get("realtime").get("ready").asBoolean()).isTrue();
            assertThat(status.get("realtime").get("corrupt_records").asLong()).isZero();
            assertThat(status.get("realtime").get("source").asText()).contains(Topics.REALTIME_VIEWS);
        }
        try (ServingApp again = startServing()) {
            Map<String, JsonNode> second = answers(again);
            for (ViewDefinition v : Views.ALL) {
                assertThat(second.get(v.name()).get("rows")).as(v.name()).isEqualTo(first.get(v.name()).get("rows"));
            }
        }
    }

    @Test
    void newChangelogRecordsShowUpWhileServing() throws Exception {
        try (ServingApp app = startServing()) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "serving-test-live");
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            long bucket = end + 5 * HOUR;
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(Topics.REALTIME_VIEWS,
                        RealtimeCodec.encodeKey("search_terms_daily", new ViewKey(List.of("fresh"), IngestTags.DAY_MS * (bucket / IngestTags.DAY_MS)), bucket),
                        RealtimeCodec.encodeValue(Views.SEARCH_TERMS_DAILY.zero().setLong("occurrences", 7)))).get();
                producer.commitTransaction();
            }
            long day = IngestTags.DAY_MS * (bucket / IngestTags.DAY_MS);
            String url = "/api/v1/views/search_terms_daily/series?from=" + Iso.format(day) + "&to=" + Iso.format(day + IngestTags.DAY_MS) + "&term=fresh";
            long deadline = System.currentTimeMillis() + 20_000;
            JsonNode rows;
            do {
                Thread.sleep(100);
                rows = JSON.readTree(RawHttp.get(app.port(), url).body()).get("rows");
            } while (rows.isEmpty() && System.currentTimeMillis() < deadline);
            assertThat(rows).hasSize(1);
            assertThat(rows.get(0).get("occurrences").asLong()).isEqualTo(7);
        }
    }
}
