package dev.tandem.serving.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.core.topics.Topics;
import dev.tandem.core.view.RealtimeCodec;
import dev.tandem.core.view.ViewKey;
import dev.tandem.core.view.Views;
import dev.tandem.kafka.LocalKafka;
import dev.tandem.serving.ServingApp;
import dev.tandem.serving.ServingConfig;
import dev.tandem.serving.testing.RawHttp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import static dev.tandem.core.testkit.TestEvents.t;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker goes away and comes back (same log directory, same port) under a running serving
 * process: answers stay served from the last snapshot meanwhile, and records written after the
 * restart arrive without anything being lost or counted twice.
 */
@Tag("slow")
class BrokerRestartTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final long DAY = t("2026-11-20T00:00:00Z");
    static final String URL = "/api/v1/views/search_terms_daily/series?from=2026-11-20&to=2026-11-21&groupBy=term";

    @TempDir
    Path dir;

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static void write(String bootstrap, String txId, String term, long tag, long occurrences) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, txId);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(Topics.REALTIME_VIEWS,
                    RealtimeCodec.encodeKey("search_terms_daily", new ViewKey(List.of(term), DAY), tag),
                    RealtimeCodec.encodeValue(Views.SEARCH_TERMS_DAILY.zero().setLong("occurrences", occurrences)))).get();
            producer.commitTransaction();
        }
    }

    static String terms(ServingApp app) throws Exception {
        RawHttp.Response r = RawHttp.get(app.port(), URL);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        StringBuilder sb = new StringBuilder();
        for (JsonNode row : JSON.readTree(r.body()).get("rows")) {
            sb.append(row.get("term").asText()).append('=').append(row.get("occurrences").asLong()).append(' ');
        }
        return sb.toString().trim();
    }

    @Test
    void servingRidesThroughABrokerRestart() throws Exception {
        int port = freePort();
        int controller = freePort();
        Path kafkaDir = dir.resolve("kafka");
        LocalKafka kafka = LocalKafka.start(kafkaDir, port, controller);
        String bootstrap = kafka.bootstrapServers();
        long h = 3_600_000L;
        write(bootstrap, "restart-1", "shoes", DAY + h, 4);
        write(bootstrap, "restart-2", "shoes", DAY + 2 * h, 1);
        try (ServingApp app = ServingApp.start(new ServingConfig(dir.resolve("root").toString(), bootstrap,
                "127.0.0.1", 0, null, Duration.ofSeconds(1)))) {
            long deadline = System.currentTimeMillis() + 60_000;
            while (!app.realtime().ready() && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertThat(terms(app)).isEqualTo("shoes=5");

            kafka.close();
            Thread.sleep(1500);
            assertThat(terms(app)).as("served from the last snapshot while the broker is down").isEqualTo("shoes=5");

            kafka = LocalKafka.start(kafkaDir, port, controller);
            write(bootstrap, "restart-3", "shoes", DAY + 2 * h, 3);   // an absolute update of tag +2h: 1 -> 3
            write(bootstrap, "restart-4", "socks", DAY + 3 * h, 2);
            deadline = System.currentTimeMillis() + 90_000;
            String seen = terms(app);
            while (!seen.equals("shoes=7 socks=2") && System.currentTimeMillis() < deadline) {
                Thread.sleep(200);
                seen = terms(app);
            }
            assertThat(seen).isEqualTo("shoes=7 socks=2");
        } finally {
            kafka.close();
        }
    }

    /** Serving up before the broker (or with a broker too busy to answer metadata in time): it keeps trying. */
    @Test
    void servingStartedBeforeTheBrokerCatchesUpOnceItIsThere() throws Exception {
        int port = freePort();
        int controller = freePort();
        String bootstrap = "127.0.0.1:" + port;
        try (ServingApp app = ServingApp.start(new ServingConfig(dir.resolve("root").toString(), bootstrap,
                "127.0.0.1", 0, null, Duration.ofSeconds(1)))) {
            Thread.sleep(7_000); // longer than one metadata timeout of the realtime consumer
            assertThat(app.realtime().ready()).isFalse();
            assertThat(app.realtime().status().lastError()).isNotNull();
            LocalKafka kafka = LocalKafka.start(dir.resolve("kafka"), port, controller);
            try {
                write(bootstrap, "late-broker-1", "hats", DAY + 3_600_000L, 6);
                long deadline = System.currentTimeMillis() + 90_000;
                String seen = "";
                while (System.currentTimeMillis() < deadline) {
                    if (app.realtime().ready()) {
                        seen = terms(app);
                        if (seen.equals("hats=6")) {
                            break;
                        }
                    }
                    Thread.sleep(200);
                }
                assertThat(seen).isEqualTo("hats=6");
                assertThat(app.realtime().status().lastError()).isNull();
            } finally {
                kafka.close();
            }
        }
    }
}
