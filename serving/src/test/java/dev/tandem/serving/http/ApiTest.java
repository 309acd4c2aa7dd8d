package dev.tandem.serving.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.reference.ReferenceEvaluator;
import dev.tandem.core.testkit.RandomLogs;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewKey;
import dev.tandem.core.view.ViewTable;
import dev.tandem.core.view.Views;
import dev.tandem.serving.batch.BatchSnapshot;
import dev.tandem.serving.query.Iso;
import dev.tandem.serving.query.Metrics;
import dev.tandem.serving.query.QueryService;
import dev.tandem.serving.realtime.InMemoryRealtimeStore;
import dev.tandem.serving.testing.Layers;
import dev.tandem.serving.testing.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.tandem.core.testkit.TestEvents.t;
import static org.assertj.core.api.Assertions.assertThat;

/** Every endpoint and every error path, over real HTTP against a server with known data. */
class ApiTest {

    static final long START = t("2026-11-20T00:00:00Z");
    static final long HOUR = IngestTags.HOUR_MS;
    static final String TOKEN = "s3cret-token";
    static final ObjectMapper JSON = new ObjectMapper();

    static Map<String, ViewTable> tables;
    static long cutoff;
    static long end;
    static InMemoryRealtimeStore realtime;
    static AtomicReference<BatchSnapshot> batch = new AtomicReference<>();
    static AtomicInteger reloads = new AtomicInteger();
    static ApiServer server;
    static HttpClient http;
    static String base;

    @BeforeAll
    static void start() {
        List<IngestedEvent> log = RandomLogs.generate(21, 1200, START);
        tables = ReferenceEvaluator.evaluate(log).views();
        end = IngestTags.tagOf(log.stream().mapToLong(IngestedEvent::ingestTime).max().orElseThrow()) + HOUR;
        cutoff = START + 24 * HOUR;
        batch.set(Layers.batch(tables, cutoff, "20261121T010000Z-test-00a1"));
        realtime = Layers.realtime(tables, cutoff - 2 * HOUR, Long.MAX_VALUE);
        QueryService svc = new QueryService(batch::get, realtime, () -> end);
        server = new ApiServer(svc, () -> {
            reloads.incrementAndGet();
            return Map.of("run", batch.get().runId());
        }, TOKEN).start("127.0.0.1", 0);
        http = HttpClient.newHttpClient();
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String auth) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.noBody());
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode ok(HttpResponse<String> r) throws IOException {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        return JSON.readTree(r.body());
    }

    static JsonNode problem(HttpResponse<String> r, int status, String detailContains) throws IOException {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode p = JSON.readTree(r.body());
        assertThat(p.get("status").asInt()).isEqualTo(status);
        assertThat(p.get("title").asText()).isNotEmpty();
        assertThat(p.get("detail").asText()).contains(detailContains);
        return p;
    }

    static String range() {
        return "from=" + Iso.format(START - 3 * IngestTags.DAY_MS) + "&to=" + Iso.format(end + IngestTags.DAY_MS - end % IngestTags.DAY_MS);
    }

    // ---- happy paths ---------------------------------------------------------------------------

    @Test
    void seriesServesTheReferenceTotalForEveryView() throws IOException, InterruptedException {
        for (ViewDefinition v : Views.ALL) {
            JsonNode a = ok(get("/api/v1/views/" + v.name() + "/series?" + range()));
            assertThat(a.get("view").asText()).isEqualTo(v.name());
            assertThat(a.get("batch").get("run").asText()).isEqualTo("20261121T010000Z-test-00a1");
            assertThat(a.get("batch").get("cutoff").asText()).isEqualTo(Iso.format(cutoff));
            assertThat(a.get("warnings")).isEmpty();
            List<Map<String, Object>> rows = JSON.convertValue(a.get("rows"), new com.fasterxml.jackson.core.type.TypeReference<>() { });
            Map<ViewKey, Map<String, Object>> served = Layers.served(rows, v.dimensionNames(), Metrics.names(v));
            assertThat(served).as(v.name()).isNotEmpty().isEqualTo(Layers.expected(v, tables.get(v.name()).total()));
            // flat rows: bucket_start, the dims, then the metrics, in that order
            List<String> fields = new ArrayList<>();
            a.get("rows").get(0).fieldNames().forEachRemaining(fields::add);
            List<String> expectedFields = new ArrayList<>(List.of("bucket_start"));
            expectedFields.addAll(v.dimensionNames());
            expectedFields.addAll(Metrics.names(v));
            assertThat(fields).containsExactlyElementsOf(expectedFields);
        }
    }

    @Test
    void seriesFiltersGroupsRollsUpAndSelectsMetrics() throws IOException, InterruptedException {
        JsonNode a = ok(get("/api/v1/views/campaign_hourly/series?" + range()
                + "&granularity=day&campaign_id=c1,c2&groupBy=campaign_id&metrics=impressions,ctr"));
        assertThat(a.get("granularity").asText()).isEqualTo("day");
        Map<ViewKey, com.fasterxml.jackson.databind.JsonNode> byKey = new java.util.TreeMap<>();
        for (JsonNode r : a.get("rows")) {
            assertThat(r.get("campaign_id").asText()).isIn("c1", "c2");
            assertThat(r.has("clicks")).isFalse();
            byKey.put(new ViewKey(List.of(r.get("campaign_id").asText()), Iso.parse("b", r.get("bucket_start").asText())), r);
        }
        Map<ViewKey, dev.tandem.core.view.Aggregate> c12 = new java.util.TreeMap<>();
        tables.get("campaign_hourly").total().forEach((k, v) -> {
            if (Set.of("c1", "c2").contains(k.dims().get(0))) {
                c12.put(k, v);
            }
        });
        Map<ViewKey, dev.tandem.core.view.Aggregate> daily = Layers.rollup(c12, IngestTags.DAY_MS, 0);
        assertThat(byKey.keySet()).isEqualTo(daily.keySet());
        daily.forEach((k, agg) -> {
            assertThat(byKey.get(k).get("impressions").asLong()).isEqualTo(agg.longValue("impressions"));
            Object ctr = Metrics.value(agg, "ctr");
            if (ctr == null) {
                assertThat(byKey.get(k).get("ctr").isNull()).isTrue();
            } else {
                assertThat(byKey.get(k).get("ctr").asDouble()).isEqualTo((Double) ctr);
            }
        });
    }

    @Test
    void topRanksTermsByOccurrences() throws IOException, InterruptedException {
        JsonNode a = ok(get("/api/v1/views/search_terms_daily/top?" + range() + "&by=occurrences&limit=2"));
        Map<String, Long> byTerm = new java.util.HashMap<>();
        tables.get("search_terms_daily").total().forEach((k, v) -> byTerm.merge(k.dims().get(0), v.longValue("occurrences"), Long::sum));
        List<String> expected = byTerm.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(2).map(e -> e.getKey() + "=" + e.getValue()).toList();
        List<String> served = new ArrayList<>();
        a.get("rows").forEach(r -> served.add(r.get("term").asText() + "=" + r.get("occurrences").asLong()));
        assertThat(served).containsExactlyElementsOf(expected);
        assertThat(a.get("limit").asInt()).isEqualTo(2);
    }

    @Test
    void viewsStatusHealthAndReadiness() throws IOException, InterruptedException {
        JsonNode views = ok(get("/api/v1/views"));
        assertThat(views.get("views")).hasSize(3);
        assertThat(views.get("views").get(0).get("name").asText()).isEqualTo("campaign_hourly");
        assertThat(views.get("views").get(0).get("metrics").toString()).contains("\"ctr\"", "derived");

        JsonNode status = ok(get("/api/v1/status"));
        assertThat(status.get("batch").get("run").asText()).isEqualTo("20261121T010000Z-test-00a1");
        assertThat(status.get("batch").get("cutoff").asText()).isEqualTo(Iso.format(cutoff));
        assertThat(status.get("coverage").get("state").asText()).isEqualTo("complete");
        assertThat(status.get("realtime").get("ready").asBoolean()).isTrue();
        assertThat(status.get("realtime").get("oldest_tag").asText()).isEqualTo(Iso.format(cutoff - 2 * HOUR));
        assertThat(status.get("realtime").get("entries").asLong()).isEqualTo(realtime.snapshot().entries()).isPositive();

        assertThat(ok(get("/healthz")).get("status").asText()).isEqualTo("ok");
        assertThat(ok(get("/readyz")).get("ready").asBoolean()).isTrue();
        realtime.ready(false);
        try {
            HttpResponse<String> r = get("/readyz");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("\"ready\":false");
            JsonNode s = ok(get("/api/v1/views/campaign_hourly/series?" + range()));
            assertThat(s.get("warnings").toString()).contains("still replaying");
        } finally {
            realtime.ready(true);
        }
    }

    @Test
    void metricsExposeLatencyHistogramLagAndBatchAge() throws IOException, InterruptedException {
        ok(get("/api/v1/views/campaign_hourly/series?" + range()));
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        String body = r.body();
        assertThat(body).contains("# TYPE tandem_serving_request_duration_seconds histogram",
                "tandem_serving_request_duration_seconds_bucket{route=\"/api/v1/views/{view}/series\",le=\"+Inf\"}",
                "tandem_serving_requests_total{route=\"/api/v1/views/{view}/series\",status=\"200\"}",
                "tandem_serving_realtime_lag_records 0",
                "tandem_serving_realtime_ready 1",
                "tandem_serving_coverage_gap_hours 0",
                "tandem_serving_batch_cutoff_age_seconds " + (end - cutoff) / 1000);
        assertThat(body).containsPattern("tandem_serving_batch_age_seconds \\d+");
        for (String line : body.split("\n")) {
            assertThat(line).matches("(# (HELP|TYPE) .*|[a-z_]+(\\{.*\\})? (-?[0-9.eE+-]+|NaN|\\+Inf))");
        }
    }

    @Test
    void openApiDocumentsEveryRouteAndNothingElse() throws IOException, InterruptedException {
        JsonNode doc = ok(get("/openapi.json"));
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        Set<String> documented = new HashSet<>();
        for (Map.Entry<String, JsonNode> p : doc.get("paths").properties()) {
            p.getValue().fieldNames().forEachRemaining(m -> documented.add(m.toUpperCase() + " " + p.getKey()));
        }
        Set<String> implemented = new HashSet<>();
        ApiServer.ROUTES.forEach(r -> implemented.add(r.method() + " " + r.path()));
        assertThat(documented).isEqualTo(implemented);
        // every implemented route answers (not 404/405) with the documented method
        for (ApiServer.Route route : ApiServer.ROUTES) {
            String path = route.path().replace("{view}", "campaign_hourly");
            HttpResponse<String> r = route.method().equals("GET") ? get(path) : post(path, null);
            assertThat(r.statusCode()).as(route.toString()).isNotIn(404, 405, 500);
        }
        // the documented query parameters are the ones the parser accepts
        String seriesParams = doc.get("paths").get("/api/v1/views/{view}/series").toString();
        for (String p : dev.tandem.serving.query.QueryParser.SERIES_PARAMS) {
            assertThat(seriesParams + doc.get("components").get("parameters")).contains("\"" + p + "\"");
        }
        String topParams = doc.get("paths").get("/api/v1/views/{view}/top").toString() + doc.get("components").get("parameters");
        for (String p : dev.tandem.serving.query.QueryParser.TOP_PARAMS) {
            assertThat(topParams).contains("\"" + p + "\"");
        }
    }

    @Test
    void repeatedQueriesFollowNewSnapshotsDespiteTheAnswerCache() throws IOException, InterruptedException {
        String url = "/api/v1/views/search_terms_daily/series?" + range() + "&term=cachetest&groupBy=";
        assertThat(ok(get(url)).get("rows")).isEmpty();
        assertThat(ok(get(url)).get("rows")).isEmpty();
        long day = Math.floorDiv(end, IngestTags.DAY_MS) * IngestTags.DAY_MS;
        realtime.put(new dev.tandem.core.view.RealtimeCodec.RealtimeKey("search_terms_daily",
                new ViewKey(List.of("cachetest"), day), end), Views.SEARCH_TERMS_DAILY.zero().setLong("occurrences", 3));
        try {
            JsonNode rows = ok(get(url)).get("rows");
            assertThat(rows).hasSize(1);
            assertThat(rows.get(0).get("occurrences").asLong()).isEqualTo(3);
            AtomicReference<BatchSnapshot> before = new AtomicReference<>(batch.get());
            batch.set(Layers.batch(tables, cutoff, "20261121T020000Z-test-00a2"));
            assertThat(ok(get(url)).get("batch").get("run").asText()).isEqualTo("20261121T020000Z-test-00a2");
            batch.set(before.get());
        } finally {
            realtime.put(new dev.tandem.core.view.RealtimeCodec.RealtimeKey("search_terms_daily",
                    new ViewKey(List.of("cachetest"), day), end), null);
        }
        assertThat(ok(get(url)).get("rows")).isEmpty();
    }

    @Test
    void dashboardIsServedAtTheRoot() throws IOException, InterruptedException {
        HttpResponse<String> r = get("/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(r.body()).contains("Tandem");
    }

    @Test
    void adminReloadNeedsTheBearerToken() throws IOException, InterruptedException {
        int before = reloads.get();
        problem(post("/api/v1/admin/reload", null), 401, "Bearer");
        HttpResponse<String> wrong = post("/api/v1/admin/reload", "Bearer nope");
        problem(wrong, 401, "Bearer");
        assertThat(wrong.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        problem(post("/api/v1/admin/reload", "Basic " + TOKEN), 401, "Bearer");
        assertThat(reloads.get()).isEqualTo(before);
        JsonNode r = ok(post("/api/v1/admin/reload", "Bearer " + TOKEN));
        assertThat(r.get("run").asText()).isEqualTo("20261121T010000Z-test-00a1");
        assertThat(reloads.get()).isEqualTo(before + 1);
        problem(get("/api/v1/admin/reload"), 405, "GET");
    }

    @Test
    void adminIsDisabledWithoutAConfiguredTokenAndReloadFailuresAre409() throws IOException, InterruptedException {
        QueryService svc = new QueryService(batch::get, realtime, () -> end);
        try (ApiServer noToken = new ApiServer(svc, () -> Map.of(), null).start("127.0.0.1", 0);
             ApiServer failing = new ApiServer(svc, () -> {
                 throw new IOException("run X: manifest says 3 rows");
             }, "t").start("127.0.0.1", 0)) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + noToken.port() + "/api/v1/admin/reload"))
                    .header("Authorization", "Bearer ").POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            problem(r, 403, "no admin token");
            HttpResponse<String> f = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + failing.port() + "/api/v1/admin/reload"))
                    .header("Authorization", "Bearer t").POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            problem(f, 409, "previous version is still served");
        }
    }

    // ---- error paths ---------------------------------------------------------------------------

    @Test
    void everyBadParameterIsAProblemWithA4xx() throws IOException, InterruptedException {
        String r = range();
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("/api/v1/views/nope/series?" + r, "404:no view named 'nope'");
        cases.put("/api/v1/views/nope/top?" + r + "&by=x", "404:no view named");
        cases.put("/api/v1/views/campaign_hourly/series", "400:'from' and 'to' are required");
        cases.put("/api/v1/views/campaign_hourly/series?from=2026-11-20T00:00:00Z", "400:'from' and 'to' are required");
        cases.put("/api/v1/views/campaign_hourly/series?from=yesterday&to=2026-11-21", "400:from is not an ISO-8601");
        cases.put("/api/v1/views/campaign_hourly/series?from=2026-11-20T00:30:00Z&to=2026-11-21", "400:hour bucket starts");
        cases.put("/api/v1/views/campaign_hourly/series?from=2026-11-21&to=2026-11-20", "400:before 'to'");
        cases.put("/api/v1/views/campaign_hourly/series?from=2026-11-20&to=2026-11-20", "400:before 'to'");
        cases.put("/api/v1/views/campaign_hourly/series?from=2024-01-01&to=2026-01-01", "400:range longer than 366 days");
        cases.put("/api/v1/views/campaign_hourly/series?" + r + "&granularity=week", "400:granularity must be hour or day");
        cases.put("/api/v1/views/search_terms_daily/series?" + r + "&granularity=hour", "400:cannot answer at granularity hour");
        cases.put("/api/v1/views/campaign_hourly/series?" + r + "&granularity=day&from=2026-11-20", "400:more than once");
        cases.put("/api/v1/views/campaign_hourly/series?from=2026-11-20T05:00:00Z&to=2026-11-22&granularity=day", "400:day bucket starts");
        cases.put("/api/v1/views/campaign_hourly/series?" + r + "&groupBy=region", "400:no dimension 'region'");
        cases.put("/api/v1/views/campaign_hourly/series?" + r + "&groupBy=campaign_id,campaign_id", "400:twice");
        cases.put("/api/v1/views/campaign_hourly/series?" + r + "&metrics=revenue_minor", "400:no metric 'revenue_minor'");
        cases.put("/api/v1/views/campaign_hourly/series?" + r + "&metrics=", "400:no metric ''");
        cases.put("/api/v1/views/campaign_hourly/series?" + r + "&region=eu", "400:unknown parameter 'region'");
        cases.put("/api/v1/views/campaign_hourly/series?" + r + "&campaign_id=", "400:1 to 256 characters");
        cases.put("/api/v1/views/campaign_hourly/series?" + r + "&campaign_id=" + "x".repeat(300), "400:1 to 256 characters");
        cases.put("/api/v1/views/campaign_hourly/series?" + r + "&campaign_id=" + "c,".repeat(101) + "c", "400:at most 100 values");
        cases.put("/api/v1/views/campaign_hourly/series?" + r + "&campaign_id=%zz", "400:malformed percent-escape");
        cases.put("/api/v1/views/campaign_hourly/series?" + r + "&campaign_id=%", "400:malformed percent-escape");
        cases.put("/api/v1/views/campaign_hourly/series?" + r + "&campaign_id=%C3%28", "400:not valid UTF-8");
        cases.put("/api/v1/views/campaign_hourly/series?" + r + "&x=" + "y".repeat(5000), "400:longer than 4096");
        cases.put("/api/v1/views/campaign_hourly/series?" + r + "&x=" + "y".repeat(9000), "414:"); // refused by Jetty itself
        cases.put("/api/v1/views/campaign_hourly/top?" + r, "400:'by' is required");
        cases.put("/api/v1/views/campaign_hourly/top?" + r + "&by=orders", "400:no metric 'orders'");
        cases.put("/api/v1/views/campaign_hourly/top?" + r + "&by=clicks&limit=0", "400:limit must be from 1 to 1000");
        cases.put("/api/v1/views/campaign_hourly/top?" + r + "&by=clicks&limit=1001", "400:limit must be from 1 to 1000");
        cases.put("/api/v1/views/campaign_hourly/top?" + r + "&by=clicks&limit=ten", "400:whole number");
        cases.put("/api/v1/views/campaign_hourly/top?" + r + "&by=clicks&granularity=day", "400:unknown parameter 'granularity'");
        cases.put("/api/v1/views?limit=%G0", "400:malformed percent-escape");
        cases.put("/api/v1/nothing-here", "404:no route GET /api/v1/nothing-here");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            String[] expect = c.getValue().split(":", 2);
            try {
                RawHttp.Response raw = RawHttp.get(server.port(), c.getKey());
                assertThat(raw.status()).as(raw.body()).isEqualTo(Integer.parseInt(expect[0]));
                assertThat(raw.contentType()).startsWith("application/problem+json");
                JsonNode p = JSON.readTree(raw.body());
                assertThat(p.get("status").asInt()).isEqualTo(raw.status());
                assertThat(p.get("detail").asText()).contains(expect[1]);
            } catch (AssertionError e) {
                throw new AssertionError(c.getKey() + ": " + e.getMessage(), e);
            }
        }
        problem(post("/api/v1/status", null), 405, "POST");
    }

    /** Query strings made of pieces of valid ones and junk, percent-escapes valid and not. */
    @Test
    void tenThousandFuzzedQueryStringsNeverGetA5xx() throws IOException, InterruptedException {
        SplittableRandom rnd = new SplittableRandom(20261126L);
        String[] paths = {"/api/v1/views/campaign_hourly/series", "/api/v1/views/region_revenue_hourly/series",
                "/api/v1/views/search_terms_daily/series", "/api/v1/views/campaign_hourly/top",
                "/api/v1/views/search_terms_daily/top", "/api/v1/views/region_revenue_hourly/top", "/api/v1/views",
                "/api/v1/status", "/api/v1/views/%ff/series", "/api/v1/views/x%2Fy/top", "/readyz"};
        String[] names = {"from", "to", "granularity", "groupBy", "metrics", "by", "limit", "campaign_id", "region",
                "currency", "term", "", "from[]", "%66rom", "to%00", "FROM", "x"};
        String[] values = {"2026-11-20T00:00:00Z", "2026-11-21", "2026-11-20T05:00:00Z", "2026-11-30", "1970-01-01",
                "9999-12-31", "-1", "0", "1", "1000", "99999999999999999999", "hour", "day", "week", "campaign_id",
                "region,currency", "impressions,ctr", "ctr", "occurrences", "unique_users", "c1,c2", "eu", "USD", "",
                ",", "%", "%2", "%zz", "%00", "%C3%28", "%E2%82%AC", "+", "%2C%2C", "red", "2026-02-30", "2026-11-20T24:00:00Z",
                "NaN", "1e9", "%ED%A0%80", "a=b", "'", "%22", "%3Cscript%3E"};
        String safe = "abcXYZ019-_.~!$'()*+,;=:@/?";
        int fivexx = 0;
        List<String> failures = new ArrayList<>();
        Map<Integer, Integer> byStatus = new java.util.TreeMap<>();
        for (int i = 0; i < 10_000; i++) {
            StringBuilder q = new StringBuilder();
            int n = rnd.nextInt(7);
            for (int j = 0; j < n; j++) {
                if (j > 0 || rnd.nextInt(10) == 0) {
                    q.append('&');
                }
                if (rnd.nextInt(12) == 0) {
                    for (int k = rnd.nextInt(1, 12); k > 0; k--) {
                        q.append(safe.charAt(rnd.nextInt(safe.length())));
                    }
                } else {
                    q.append(names[rnd.nextInt(names.length)]);
                    if (rnd.nextInt(15) != 0) {
                        q.append('=').append(values[rnd.nextInt(values.length)]);
                    }
                }
            }
            String url = paths[rnd.nextInt(paths.length)] + (q.length() > 0 || rnd.nextBoolean() ? "?" + q : "");
            RawHttp.Response r = RawHttp.get(server.port(), url);
            byStatus.merge(r.status(), 1, Integer::sum);
            if (r.status() >= 500) {
                fivexx++;
                if (failures.size() < 10) {
                    failures.add(r.status() + " " + url + " -> " + r.body());
                }
            } else if (r.status() >= 400) {
                assertThat(r.contentType()).as(url).startsWith("application/problem+json");
            }
        }
        assertThat(failures).as("5xx answers " + byStatus).isEmpty();
        assertThat(fivexx).isZero();
        assertThat(byStatus.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(10_000);
        assertThat(byStatus).containsKeys(200, 400);
    }
}
