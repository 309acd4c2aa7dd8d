package dev.tandem.serving.http;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.reference.ReferenceEvaluator;
import dev.tandem.core.testkit.RandomLogs;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.view.ViewTable;
import dev.tandem.core.view.Views;
import dev.tandem.serving.batch.BatchSnapshot;
import dev.tandem.serving.query.Iso;
import dev.tandem.serving.query.Metrics;
import dev.tandem.serving.query.QueryService;
import dev.tandem.serving.realtime.InMemoryRealtimeStore;
import dev.tandem.serving.testing.Layers;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPInputStream;

import static dev.tandem.core.testkit.TestEvents.t;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The answer cache keeps answers per (batch snapshot, realtime snapshot, readiness) by identity:
 * a cached answer is served only to a request that took exactly the snapshots it was computed
 * from, and is gone as soon as the realtime store advances or a new batch version is swapped in.
 * Over HTTP, every served answer (the cached fast path included) equals the reference evaluator's.
 */
class AnswerCacheTest {

    static final long START = t("2026-11-20T00:00:00Z");
    static final long HOUR = IngestTags.HOUR_MS;
    static final ObjectMapper JSON = new ObjectMapper();

    static final class Fixture {
        final Map<String, ViewTable> tables;
        final long end;
        final long cutoff;

        Fixture() {
            List<IngestedEvent> log = RandomLogs.generate(7, 900, START);
            tables = ReferenceEvaluator.evaluate(log).views();
            end = IngestTags.tagOf(log.stream().mapToLong(IngestedEvent::ingestTime).max().orElseThrow()) + HOUR;
            cutoff = START + 24 * HOUR;
        }
    }

    static final Fixture F = new Fixture();

    private static BatchSnapshot batch(String run) {
        return Layers.batch(F.tables, F.cutoff, run);
    }

    @Test
    void anAnswerIsServedOnlyForTheIdenticalSnapshots() throws Exception {
        AtomicReference<BatchSnapshot> b = new AtomicReference<>(batch("20261121T010000Z-test-0001"));
        InMemoryRealtimeStore rt = Layers.realtime(F.tables, F.cutoff - 2 * HOUR, F.end - 3 * HOUR);
        QueryService svc = new QueryService(b::get, rt, () -> F.end);
        AnswerCache cache = new AnswerCache(16, 1 << 20, 1 << 20);

        QueryService.Snapshots s1 = svc.snapshots();
        byte[] json = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        assertThat(cache.get(s1, "k")).isNull();
        AnswerCache.Answer a = put(cache, s1, "k", json);
        assertThat(cache.get(s1, "k")).isSameAs(a);
        assertThat(cache.get(svc.snapshots(), "k")).as("same snapshots taken again").isSameAs(a);
        assertThat(cache.get(s1, "other")).isNull();

        // the realtime store advances: the stored answer is not served to the new snapshots
        Layers.fill(rt, F.tables, F.end - 3 * HOUR, F.end);
        QueryService.Snapshots s2 = svc.snapshots();
        assertThat(s2.realtime()).isNotSameAs(s1.realtime());
        assertThat(cache.get(s2, "k")).isNull();
        AnswerCache.Answer a2 = put(cache, s2, "k", "{\"a\":2}".getBytes(StandardCharsets.UTF_8));
        assertThat(cache.get(s2, "k")).isSameAs(a2);
        assertThat(cache.get(s1, "k")).as("older snapshots never see the newer answer").isNull();

        // a new batch version with equal content is still another version
        b.set(batch("20261121T020000Z-test-0002"));
        QueryService.Snapshots s3 = svc.snapshots();
        assertThat(s3.batch()).isNotSameAs(s2.batch());
        assertThat(cache.get(s3, "k")).isNull();

        // readiness is part of the answer (the replay warning)
        rt.ready(false);
        assertThat(cache.get(svc.snapshots(), "k")).isNull();
        rt.ready(true);
        assertThat(cache.generations()).isEqualTo(2);
    }

    @Test
    void limitsStartTheGenerationOverAndLargeAnswersAreNotKept() throws Exception {
        QueryService svc = new QueryService(() -> batch("20261121T010000Z-test-0001"), new InMemoryRealtimeStore(), () -> F.end);
        QueryService.Snapshots s = svc.snapshots();
        AnswerCache cache = new AnswerCache(2, 100, 60);
        put(cache, s, "a", new byte[10]);
        put(cache, s, "b", new byte[10]);
        assertThat(cache.size()).isEqualTo(2);
        put(cache, s, "c", new byte[10]);
        assertThat(cache.get(s, "a")).isNull();
        assertThat(cache.get(s, "c")).isNotNull();
        AnswerCache.Answer big = put(cache, s, "big", new byte[61]);
        assertThat(big.json()).hasSize(61);
        assertThat(cache.get(s, "big")).isNull();
        AnswerCache bytes = new AnswerCache(100, 100, 60);
        put(bytes, s, "d", new byte[55]);
        put(bytes, s, "e", new byte[55]);
        assertThat(bytes.get(s, "d")).isNotNull();
        put(bytes, s, "f", new byte[10]);
        assertThat(bytes.get(s, "d")).as("byte budget").isNull();
        assertThat(bytes.get(s, "f")).isNotNull();
    }

    @Test
    void concurrentRequestsForOneAnswerComputeItOnceAndErrorsAreNotKept() throws Exception {
        QueryService.Snapshots s = new QueryService(() -> batch("20261121T010000Z-test-0001"), new InMemoryRealtimeStore(),
                () -> F.end).snapshots();
        AnswerCache cache = new AnswerCache(16, 1 << 20, 1 << 20);
        java.util.concurrent.atomic.AtomicInteger computed = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<AnswerCache.Answer>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(pool.submit(() -> cache.getOrCompute(s, "k", () -> {
                    computed.incrementAndGet();
                    release.await();
                    return "{}".getBytes(StandardCharsets.UTF_8);
                })));
            }
            Thread.sleep(200);
            release.countDown();
            AnswerCache.Answer first = answers.get(0).get();
            for (java.util.concurrent.Future<AnswerCache.Answer> f : answers) {
                assertThat(f.get()).isSameAs(first);
            }
            assertThat(computed.get()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < 2; i++) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> cache.getOrCompute(s, "bad", () -> {
                computed.incrementAndGet();
                throw dev.tandem.serving.query.QueryException.badParameter("no");
            })).isInstanceOf(dev.tandem.serving.query.QueryException.class);
        }
        assertThat(computed.get()).as("the failed computation is repeated, not remembered").isEqualTo(3);
        assertThat(cache.get(s, "bad")).isNull();
    }

    @Test
    void gzipIsTheSameAnswer() throws IOException {
        byte[] json = ("{\"rows\":[" + "{\"x\":1},".repeat(500) + "{\"x\":2}]}").getBytes(StandardCharsets.UTF_8);
        AnswerCache.Answer a = new AnswerCache.Answer(json);
        assertThat(gunzip(a.gzip())).isEqualTo(json);
        assertThat(a.gzip()).isSameAs(a.gzip()).hasSizeLessThan(json.length / 10);
        for (boolean gz : new boolean[] {false, true}) {
            java.nio.ByteBuffer first = a.body(gz);
            byte[] read = new byte[first.remaining()];
            first.get(read);
            assertThat(read).isEqualTo(gz ? a.gzip() : json);
            assertThat(a.body(gz).remaining()).as("each write gets its own view").isEqualTo(read.length);
            assertThat(a.body(gz).isReadOnly()).isTrue();
        }
    }

    @Test
    void acceptEncodingIsHonoured() {
        assertThat(CachedAnswerHandler.acceptsGzip(List.of("gzip"))).isTrue();
        assertThat(CachedAnswerHandler.acceptsGzip(List.of("br", "GZip;q=0.5"))).isTrue();
        assertThat(CachedAnswerHandler.acceptsGzip(List.of("gzip;q=0"))).isFalse();
        assertThat(CachedAnswerHandler.acceptsGzip(List.of("gzip; q=0.0", "identity"))).isFalse();
        assertThat(CachedAnswerHandler.acceptsGzip(List.of("deflate", "br"))).isFalse();
        assertThat(CachedAnswerHandler.acceptsGzip(List.of())).isFalse();
        assertThat(CachedAnswerHandler.route("/api/v1/views/campaign_hourly/series")).isEqualTo(CachedAnswerHandler.SERIES_ROUTE);
        assertThat(CachedAnswerHandler.route("/api/v1/views/x/top")).isEqualTo(CachedAnswerHandler.TOP_ROUTE);
        assertThat(CachedAnswerHandler.route("/api/v1/views//series")).isNull();
        assertThat(CachedAnswerHandler.route("/api/v1/views/x/y/series")).isNull();
        assertThat(CachedAnswerHandler.route("/api/v1/status")).isNull();
    }

    /**
     * Over HTTP: the repeated query is answered by the cached fast path, and after the realtime
     * store advances, a new batch version is swapped in or readiness changes, the next answer is
     * the fresh one — each equal to the reference evaluator's for what the layers hold.
     */
    @Test
    void overHttpCachedAnswersFollowTheLayersAndEqualTheReference() throws Exception {
        long withheldFrom = F.end - 4 * HOUR;
        AtomicReference<BatchSnapshot> b = new AtomicReference<>(batch("20261121T010000Z-test-0001"));
        InMemoryRealtimeStore rt = Layers.realtime(F.tables, F.cutoff - 2 * HOUR, withheldFrom);
        QueryService svc = new QueryService(b::get, rt, () -> F.end);
        HttpClient http = HttpClient.newHttpClient();
        try (ApiServer server = new ApiServer(svc, Map::of, null).start("127.0.0.1", 0)) {
            AnswerCache cache = server.answerCache();
            String url = "http://127.0.0.1:" + server.port() + "/api/v1/views/campaign_hourly/series?from="
                    + Iso.format(START - 3 * IngestTags.DAY_MS) + "&to=" + Iso.format(F.end + IngestTags.DAY_MS - F.end % IngestTags.DAY_MS);

            HttpResponse<byte[]> first = get(http, url, null);
            long hits = cache.hits();
            HttpResponse<byte[]> second = get(http, url, null);
            assertThat(cache.hits()).as("second request from the fast path").isEqualTo(hits + 1);
            assertThat(second.body()).isEqualTo(first.body());
            assertThat(second.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(second.headers().firstValue("Content-Encoding")).isEmpty();
            assertThat(rows(second.body())).isEqualTo(reference(withheldFrom));

            HttpResponse<byte[]> gz = get(http, url, "gzip, deflate, br");
            assertThat(gz.headers().firstValue("Content-Encoding")).hasValue("gzip");
            assertThat(gz.headers().firstValue("Vary")).hasValue("Accept-Encoding");
            assertThat(gunzip(gz.body())).isEqualTo(first.body());
            assertThat(get(http, url, "gzip;q=0").headers().firstValue("Content-Encoding")).isEmpty();

            // the speed layer writes the withheld hours: the next answer includes them
            Layers.fill(rt, F.tables, withheldFrom, F.end);
            HttpResponse<byte[]> advanced = get(http, url, null);
            Map<?, ?> full = reference(F.end);
            assertThat(full).isNotEqualTo(reference(withheldFrom));
            assertThat(rows(advanced.body())).isEqualTo(full);
            hits = cache.hits();
            HttpResponse<byte[]> gzAdvanced = get(http, url, "gzip");
            assertThat(cache.hits()).isEqualTo(hits + 1);
            assertThat(gunzip(gzAdvanced.body())).isEqualTo(advanced.body());

            // a new batch version is swapped in: answered from it, same values (invariant 2)
            b.set(batch("20261121T020000Z-test-0002"));
            JsonNode swapped = JSON.readTree(get(http, url, null).body());
            assertThat(swapped.get("batch").get("run").asText()).isEqualTo("20261121T020000Z-test-0002");
            assertThat(rows(get(http, url, null).body())).isEqualTo(full);

            // readiness: the replay warning appears and goes again
            rt.ready(false);
            assertThat(JSON.readTree(get(http, url, null).body()).get("warnings").toString()).contains("replaying");
            rt.ready(true);
            assertThat(JSON.readTree(get(http, url, null).body()).get("warnings")).isEmpty();

            String metrics = new String(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofByteArray()).body(), StandardCharsets.UTF_8);
            assertThat(metrics).contains("tandem_serving_answer_cache_hits_total " + cache.hits() + "\n",
                    "tandem_serving_answer_cache_misses_total " + cache.misses() + "\n",
                    "tandem_serving_answer_cache_generations_total " + cache.generations() + "\n");
            assertThat(cache.generations()).as("first, advanced, swapped, not ready, ready").isEqualTo(5);

            // an error is never cached: a bad query stays a 400 on repeat
            for (int i = 0; i < 2; i++) {
                HttpResponse<byte[]> bad = get(http, url + "&bogus=1", null);
                assertThat(bad.statusCode()).isEqualTo(400);
            }
        }
    }

    private static AnswerCache.Answer put(AnswerCache cache, QueryService.Snapshots s, String key, byte[] json) throws Exception {
        return cache.getOrCompute(s, key, () -> json);
    }

    private static HttpResponse<byte[]> get(HttpClient http, String url, String acceptEncoding) throws Exception {
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(url)).GET();
        if (acceptEncoding != null) {
            rb.header("Accept-Encoding", acceptEncoding);
        }
        HttpResponse<byte[]> r = http.send(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (!url.endsWith("bogus=1")) {
            assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        }
        return r;
    }

    private static Map<?, ?> rows(byte[] body) throws IOException {
        List<Map<String, Object>> rows = JSON.convertValue(JSON.readTree(body).get("rows"), new TypeReference<>() { });
        return Layers.served(rows, Views.CAMPAIGN_HOURLY.dimensionNames(), Metrics.names(Views.CAMPAIGN_HOURLY));
    }

    /** The reference rows of campaign_hourly for every ingest tag below {@code toTag}. */
    private static Map<?, ?> reference(long toTag) {
        return Layers.expected(Views.CAMPAIGN_HOURLY, Layers.tagRange(F.tables.get("campaign_hourly"), Long.MIN_VALUE, toTag));
    }

    private static byte[] gunzip(byte[] gz) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }
}
