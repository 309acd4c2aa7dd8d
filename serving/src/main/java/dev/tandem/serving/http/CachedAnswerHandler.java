package dev.tandem.serving.http;

import dev.tandem.serving.query.QueryService;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;

/**
 * A Jetty handler in front of Javalin that answers a series or top request straight from the
 * {@link AnswerCache} when the answer for the snapshots the request takes is already stored, so
 * the repeated dashboard query skips the servlet layer and the routing. Anything else — a miss,
 * another route, another method — goes on to Javalin unchanged, which computes, validates
 * (problem+json on bad input) and stores the answer.
 */
final class CachedAnswerHandler extends Handler.Wrapper {

    static final String SERIES_ROUTE = "/api/v1/views/{view}/series";
    static final String TOP_ROUTE = "/api/v1/views/{view}/top";
    private static final String PREFIX = "/api/v1/views/";

    private final QueryService service;
    private final AnswerCache cache;
    private final RequestMetrics metrics;

    CachedAnswerHandler(QueryService service, AnswerCache cache, RequestMetrics metrics) {
        this.service = service;
        this.cache = cache;
        this.metrics = metrics;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if ("GET".equals(request.getMethod())) {
            HttpURI uri = request.getHttpURI();
            String path = uri.getPath();
            String route = route(path);
            if (route != null) {
                long t0 = System.nanoTime();
                AnswerCache.Answer a = cache.get(service.snapshots(), key(path, uri.getQuery()));
                if (a != null) {
                    boolean gzip = acceptsGzip(request.getHeaders().getCSV(HttpHeader.ACCEPT_ENCODING, false));
                    ByteBuffer body = a.body(gzip);
                    response.setStatus(200);
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, ApiServer.JSON);
                    response.getHeaders().put(HttpHeader.VARY, HttpHeader.ACCEPT_ENCODING.asString());
                    if (gzip) {
                        response.getHeaders().put(HttpHeader.CONTENT_ENCODING, "gzip");
                    }
                    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.remaining());
                    response.write(true, body, callback);
                    metrics.observe(route, 200, System.nanoTime() - t0);
                    return true;
                }
            }
        }
        return super.handle(request, response, callback);
    }

    /** The cache key of a request: its raw (undecoded) path and query string, as sent. */
    static String key(String rawPath, String rawQuery) {
        return rawQuery == null ? rawPath : rawPath + "?" + rawQuery;
    }

    /** The metrics route of a path the cache may hold, or null. */
    static String route(String path) {
        if (path == null || !path.startsWith(PREFIX)) {
            return null;
        }
        int slash = path.indexOf('/', PREFIX.length());
        if (slash <= PREFIX.length()) {
            return null;
        }
        String rest = path.substring(slash + 1);
        return switch (rest) {
            case "series" -> SERIES_ROUTE;
            case "top" -> TOP_ROUTE;
            default -> null;
        };
    }

    /** Whether an Accept-Encoding header (split at commas) accepts gzip: listed, and not with q=0. */
    static boolean acceptsGzip(List<String> codings) {
        for (String c : codings) {
            String[] parts = c.split(";");
            String name = parts[0].trim().toLowerCase(Locale.ROOT);
            if (!name.equals("gzip") && !name.equals("x-gzip")) {
                continue;
            }
            boolean zero = false;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim().toLowerCase(Locale.ROOT);
                if (p.startsWith("q=")) {
                    try {
                        zero = Double.parseDouble(p.substring(2).trim()) <= 0;
                    } catch (NumberFormatException e) {
                        zero = true;
                    }
                }
            }
            if (!zero) {
                return true;
            }
        }
        return false;
    }
}
