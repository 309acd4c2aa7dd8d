package dev.tandem.serving.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.serving.query.QueryException;
import dev.tandem.serving.query.QueryParser;
import dev.tandem.serving.query.QueryService;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The HTTP edge of DESIGN §8 and nothing else: it maps routes to {@link QueryService} calls,
 * turns {@link QueryException}s into {@code application/problem+json} 4xx answers and times every
 * request. Any other exception is a bug: logged, answered 500 as problem+json.
 */
public final class ApiServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    static final String PROBLEM_JSON = "application/problem+json";
    static final String JSON = "application/json";

    /** Every route the server answers (static assets under /assets/ aside); /openapi.json documents each. */
    public static final List<Route> ROUTES = List.of(
            new Route("GET", "/"),
            new Route("GET", "/healthz"),
            new Route("GET", "/readyz"),
            new Route("GET", "/metrics"),
            new Route("GET", "/openapi.json"),
            new Route("GET", "/api/v1/views"),
            new Route("GET", "/api/v1/views/{view}/series"),
            new Route("GET", "/api/v1/views/{view}/top"),
            new Route("GET", "/api/v1/status"),
            new Route("POST", "/api/v1/admin/reload"));

    /** One documented route. */
    public record Route(String method, String path) {
    }

    private final QueryService service;
    private final AdminActions admin;
    private final String adminToken;
    private final RequestMetrics metrics = new RequestMetrics();
    private final ObjectMapper mapper = new ObjectMapper();
    private final byte[] indexHtml;
    private final byte[] openApi;
    private final AnswerCache cache;
    private Javalin app;

    static final int MAX_CACHED_ANSWERS = 512;
    static final long MAX_CACHED_TOTAL_BYTES = 64L << 20;
    static final int MAX_CACHED_BYTES = 4 << 20;

    /**
     * @param adminToken the bearer token admin calls must present; null or empty disables them
     */
    public ApiServer(QueryService service, AdminActions admin, String adminToken) {
        this(service, admin, adminToken, true);
    }

    /** @param cacheAnswers keep serialized answers per (query, snapshots); off only for benchmarks */
    public ApiServer(QueryService service, AdminActions admin, String adminToken, boolean cacheAnswers) {
        this.cache = cacheAnswers ? new AnswerCache(MAX_CACHED_ANSWERS, MAX_CACHED_TOTAL_BYTES, MAX_CACHED_BYTES) : null;
        this.service = service;
        this.admin = admin;
        this.adminToken = adminToken == null || adminToken.isEmpty() ? null : adminToken;
        this.indexHtml = resource("/web/index.html");
        this.openApi = resource("/openapi.json");
    }

    private static byte[] resource(String name) {
        try (InputStream in = ApiServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Handler body that may throw {@link QueryException}. */
    @FunctionalInterface
    interface Action {
        void handle(Context ctx) throws Exception;
    }

    public ApiServer start(String host, int port) {
        app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.http.prefer405over404 = true;
            // Requests Jetty refuses before routing (undecodable paths, …) also get problem+json.
            cfg.jetty.modifyServer(server -> {
                server.setErrorHandler(new ProblemErrorHandler());
                if (cache != null) {
                    // Javalin attaches its servlet context inside this wrapper: stored answers are
                    // written by Jetty directly, everything else reaches Javalin.
                    server.setHandler(new CachedAnswerHandler(service, cache, metrics));
                }
            });
            cfg.staticFiles.add(sf -> {
                sf.hostedPath = "/assets";
                sf.directory = "/web/assets";
                sf.location = Location.CLASSPATH;
            });
            cfg.routes.get("/", timed("/", ctx -> ctx.contentType("text/html; charset=utf-8").result(indexHtml)));
            cfg.routes.get("/healthz", timed("/healthz", ctx -> json(ctx, 200, Map.of("status", "ok"))));
            cfg.routes.get("/readyz", timed("/readyz", this::readyz));
            cfg.routes.get("/metrics", timed("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(metrics.scrape(service.gauges()) + RequestMetrics.answerCache(cache))));
            cfg.routes.get("/openapi.json", timed("/openapi.json", ctx -> ctx.contentType(JSON).result(openApi)));
            cfg.routes.get("/api/v1/views", timed("/api/v1/views", ctx -> {
                QueryParser.parseQueryString(ctx.queryString());
                json(ctx, 200, Map.of("views", service.views()));
            }));
            cfg.routes.get("/api/v1/views/{view}/series", timed("/api/v1/views/{view}/series", ctx -> {
                QueryService.Snapshots snaps = service.snapshots();
                cachedJson(ctx, snaps, () -> service.series(QueryParser.series(ctx.pathParam("view"),
                        QueryParser.parseQueryString(ctx.queryString())), snaps));
            }));
            cfg.routes.get("/api/v1/views/{view}/top", timed("/api/v1/views/{view}/top", ctx -> {
                QueryService.Snapshots snaps = service.snapshots();
                cachedJson(ctx, snaps, () -> service.top(QueryParser.top(ctx.pathParam("view"),
                        QueryParser.parseQueryString(ctx.queryString())), snaps));
            }));
            cfg.routes.get("/api/v1/status", timed("/api/v1/status", ctx -> json(ctx, 200, service.status())));
            cfg.routes.post("/api/v1/admin/reload", timed("/api/v1/admin/reload", this::reload));
            cfg.routes.error(404, ctx -> {
                if (!isProblem(ctx)) {
                    problem(ctx, new QueryException(404, "Not found", "no route " + ctx.method() + " "
                            + dev.tandem.serving.query.Iso.printable(ctx.path()) + "; GET /openapi.json lists the API"));
                    metrics.observe("unmatched", 404, 0);
                }
            });
            cfg.routes.error(405, ctx -> {
                if (!isProblem(ctx)) {
                    problem(ctx, new QueryException(405, "Method not allowed", ctx.method() + " is not allowed on "
                            + dev.tandem.serving.query.Iso.printable(ctx.path())));
                }
            });
        });
        app.start(host, port);
        return this;
    }

    private static boolean isProblem(Context ctx) {
        String ct = ctx.res().getContentType();
        return ct != null && ct.startsWith(PROBLEM_JSON);
    }

    private io.javalin.http.Handler timed(String route, Action action) {
        return ctx -> {
            long t0 = System.nanoTime();
            try {
                action.handle(ctx);
            } catch (QueryException e) {
                problem(ctx, e);
            } catch (Exception e) {
                LOG.error("unexpected error answering {} {}", ctx.method(), route, e);
                problem(ctx, new QueryException(500, "Internal error", "the server failed to answer; see its log"));
            } finally {
                metrics.observe(route, ctx.statusCode(), System.nanoTime() - t0);
            }
        };
    }

    private void readyz(Context ctx) {
        boolean ready = service.ready();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ready", ready);
        if (!ready) {
            body.put("reason", "the realtime store has not yet replayed the changelog up to the end offsets seen at start");
        }
        json(ctx, ready ? 200 : 503, body);
    }

    private void reload(Context ctx) throws IOException {
        if (adminToken == null) {
            throw new QueryException(403, "Admin disabled", "no admin token is configured on this server");
        }
        String auth = ctx.header("Authorization");
        String presented = auth != null && auth.startsWith("Bearer ") ? auth.substring(7).trim() : null;
        if (presented == null || !MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
                adminToken.getBytes(StandardCharsets.UTF_8))) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"tandem-admin\"");
            throw new QueryException(401, "Unauthorized", "POST /api/v1/admin/reload needs 'Authorization: Bearer <admin token>'");
        }
        try {
            json(ctx, 200, admin.reload());
        } catch (IOException e) {
            throw new QueryException(409, "Reload failed", e.getMessage() + "; the previous version is still served");
        }
    }

    /**
     * Answers are a pure function of (path, query string, snapshots): dashboards repeat the same
     * queries, so the serialized answer is kept in the {@link AnswerCache} until either snapshot
     * changes, and later requests for it are written by {@link CachedAnswerHandler} before
     * Javalin. Errors are never cached (they throw before the put). gzip only when asked.
     */
    private void cachedJson(Context ctx, QueryService.Snapshots snaps, java.util.function.Supplier<Object> answer)
            throws Exception {
        String key = CachedAnswerHandler.key(ctx.req().getRequestURI(), ctx.queryString());
        AnswerCache.Compute compute = () -> mapper.writeValueAsBytes(answer.get());
        AnswerCache.Answer a = cache == null ? new AnswerCache.Answer(compute.json()) : cache.getOrCompute(snaps, key, compute);
        java.util.List<String> accept = new java.util.ArrayList<>();
        ctx.req().getHeaders("Accept-Encoding").asIterator().forEachRemaining(h -> {
            for (String c : h.split(",")) {
                accept.add(c.trim());
            }
        });
        boolean gzip = CachedAnswerHandler.acceptsGzip(accept);
        ctx.disableCompression();
        ctx.status(200).contentType(JSON).header("Vary", "Accept-Encoding");
        if (gzip) {
            ctx.header("Content-Encoding", "gzip").result(a.gzip());
        } else {
            ctx.result(a.json());
        }
    }

    /** The answer cache, or null when answers are not cached. */
    public AnswerCache answerCache() {
        return cache;
    }

    private void json(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType(JSON).result(mapper.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void problem(Context ctx, QueryException e) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", "about:blank");
        p.put("title", e.title());
        p.put("status", e.status());
        p.put("detail", e.detail());
        p.put("instance", dev.tandem.serving.query.Iso.printable(ctx.path()));
        try {
            ctx.status(e.status()).contentType(PROBLEM_JSON).result(mapper.writeValueAsBytes(p));
        } catch (JsonProcessingException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
    }
}
