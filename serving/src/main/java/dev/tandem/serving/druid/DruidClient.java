package dev.tandem.serving.druid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The little of Apache Druid's HTTP API Tandem uses, over {@code java.net.http} and Jackson: SQL
 * ({@code POST /druid/v2/sql}, array results, typed dynamic parameters — values are never spliced
 * into the SQL text) and ingestion tasks ({@code /druid/indexer/v1/task}). The base URL is a router
 * (it proxies SQL to the broker and tasks to the overlord) — {@code scripts/druid-local.sh} starts one.
 */
public final class DruidClient {

    static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http;
    private final Duration timeout;

    public DruidClient(String baseUrl) {
        this(baseUrl, Duration.ofSeconds(60));
    }

    public DruidClient(String baseUrl, Duration timeout) {
        String b = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        if (!b.startsWith("http://") && !b.startsWith("https://")) {
            throw new IllegalArgumentException("the Druid URL must be http(s)://host:port, not '" + baseUrl + "'");
        }
        this.base = URI.create(b);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    public URI base() {
        return base;
    }

    /** A typed SQL dynamic parameter. */
    public record Param(String type, Object value) {
        public static Param bigint(long v) {
            return new Param("BIGINT", v);
        }

        public static Param varchar(String v) {
            return new Param("VARCHAR", v);
        }
    }

    /** Runs one SQL statement; each result row is a JSON array in SELECT order. */
    public List<JsonNode> sql(String query, List<Param> params) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("query", query);
        body.put("resultFormat", "array");
        body.put("header", false);
        ArrayNode ps = body.putArray("parameters");
        for (Param p : params) {
            ObjectNode pn = ps.addObject();
            pn.put("type", p.type());
            pn.set("value", JSON.valueToTree(p.value()));
        }
        ObjectNode ctx = body.putObject("context");
        ctx.put("sqlTimeZone", "Etc/UTC");
        JsonNode result = send("POST", "/druid/v2/sql", body);
        List<JsonNode> rows = new ArrayList<>(result.size());
        result.forEach(rows::add);
        return rows;
    }

    /** Submits an ingestion task; returns its id. */
    public String submitTask(JsonNode spec) throws IOException {
        return send("POST", "/druid/indexer/v1/task", spec).path("task").asText();
    }

    /** The task's status code: RUNNING, SUCCESS or FAILED (with {@code errorMsg}). */
    public JsonNode taskStatus(String taskId) throws IOException {
        return send("GET", "/druid/indexer/v1/task/" + URLEncoder.encode(taskId, StandardCharsets.UTF_8) + "/status", null)
                .path("status");
    }

    /** Waits until the task ends; fails with Druid's error message unless it succeeded. */
    public void awaitTask(String taskId, Duration max) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            JsonNode st = taskStatus(taskId);
            String code = st.path("statusCode").asText(st.path("status").asText());
            if ("SUCCESS".equals(code)) {
                return;
            }
            if ("FAILED".equals(code)) {
                throw new IOException("Druid task " + taskId + " failed: " + st.path("errorMsg").asText("(no message)"));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("Druid task " + taskId + " still " + code + " after " + max);
            }
            Thread.sleep(500);
        }
    }

    private JsonNode send(String method, String path, JsonNode body) throws IOException {
        HttpRequest.Builder rb = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout);
        if (body != null) {
            rb.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        } else {
            rb.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<byte[]> r;
        try {
            r = http.send(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while calling Druid " + path, e);
        } catch (IOException e) {
            throw new IOException("Druid at " + base + " is unreachable (" + method + " " + path + "): " + e.getMessage(), e);
        }
        if (r.statusCode() / 100 != 2) {
            String text = new String(r.body(), StandardCharsets.UTF_8);
            String msg = text;
            try {
                JsonNode err = JSON.readTree(text);
                msg = err.path("errorMessage").asText(err.path("error").asText(text));
            } catch (IOException notJson) {
                // keep the raw text
            }
            throw new DruidException(r.statusCode(), method + " " + path + " answered " + r.statusCode() + ": "
                    + (msg.length() > 500 ? msg.substring(0, 500) + "…" : msg));
        }
        return r.body().length == 0 ? JSON.nullNode() : JSON.readTree(r.body());
    }

    /** Druid answered with an error status. */
    public static final class DruidException extends IOException {
        private static final long serialVersionUID = 1L;
        private final int status;

        public DruidException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
