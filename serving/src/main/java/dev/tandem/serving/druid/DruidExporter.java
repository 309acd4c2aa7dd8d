package dev.tandem.serving.druid;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.core.view.Hll;
import dev.tandem.core.view.MetricDefinition;
import dev.tandem.core.view.MetricKind;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.Views;
import dev.tandem.serving.batch.BatchSnapshot;
import dev.tandem.serving.batch.BatchView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Loads one published batch version into Druid (layout: {@link DruidSchema}): each view is written
 * as JSON lines to a staging directory, ingested by an {@code index_parallel} task with a
 * {@code local} input source, then the run's manifest goes to {@code tandem_batch_runs}. It returns
 * once the broker serves the new run in every datasource.
 *
 * <p>The staging directory must be readable by Druid's indexer under the same path (same host or a
 * shared mount); on a cluster use an input source Druid reads remotely instead.
 */
public final class DruidExporter {

    private static final Logger LOG = LoggerFactory.getLogger(DruidExporter.class);

    private final DruidClient client;
    private final Duration timeout;

    public DruidExporter(DruidClient client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    /** What was exported: rows per view and how long each step took. */
    public record Result(String runId, Map<String, Long> rows, Map<String, Long> millis) {
    }

    public Result export(BatchSnapshot batch, Path staging) throws IOException, InterruptedException {
        if (!batch.exists()) {
            throw new IllegalArgumentException("nothing to export: no batch version");
        }
        String run = batch.runId();
        Path dir = staging.toAbsolutePath().resolve(run);
        Files.createDirectories(dir);
        Map<String, Long> rows = new LinkedHashMap<>();
        Map<String, Long> millis = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        // the views' tasks run side by side; the run record only after all of them succeeded
        Map<String, String> tasks = new LinkedHashMap<>();
        for (ViewDefinition view : Views.ALL) {
            String file = view.name() + ".json";
            rows.put(view.name(), writeView(batch.view(view), run, dir.resolve(file)));
            tasks.put(view.name(), client.submitTask(indexTask(DruidSchema.datasource(view), DruidSchema.dimensions(view), dir, file)));
        }
        for (Map.Entry<String, String> task : tasks.entrySet()) {
            client.awaitTask(task.getValue(), timeout);
            millis.put(task.getKey(), (System.nanoTime() - t0) / 1_000_000);
            LOG.info("exported {} rows of {} (run {}) to Druid", rows.get(task.getKey()), task.getKey(), run);
        }
        long t = System.nanoTime();
        writeRun(batch, dir.resolve("_run.json"));
        ingest(indexTask(DruidSchema.RUNS, DruidSchema.runsDimensions(), dir, "_run.json"));
        millis.put(DruidSchema.RUNS, (System.nanoTime() - t) / 1_000_000);
        t = System.nanoTime();
        awaitServed(run, rows);
        millis.put("await_served", (System.nanoTime() - t) / 1_000_000);
        millis.put("total", (System.nanoTime() - t0) / 1_000_000);
        return new Result(run, rows, millis);
    }

    private void ingest(JsonNode spec) throws IOException, InterruptedException {
        String task = client.submitTask(spec);
        client.awaitTask(task, timeout);
    }

    /** JSON lines: one per stored row, then the run's marker row. */
    static long writeView(BatchView view, String run, Path file) throws IOException {
        ViewDefinition v = view.view();
        long[] n = {0};
        try (OutputStream out = Files.newOutputStream(file);
             JsonGenerator g = DruidClient.JSON.getFactory().createGenerator(out)) {
            g.setRootValueSeparator(new com.fasterxml.jackson.core.io.SerializedString("\n"));
            IOException[] failure = {null};
            view.all().scan(Long.MIN_VALUE, Long.MAX_VALUE, (key, value, est) -> {
                if (failure[0] != null) {
                    return;
                }
                try {
                    g.writeStartObject();
                    g.writeNumberField(DruidSchema.TIME, key.bucketStart());
                    for (int i = 0; i < v.dimensions().size(); i++) {
                        g.writeStringField(v.dimensions().get(i).name(), key.dims().get(i));
                    }
                    for (MetricDefinition m : v.metrics()) {
                        if (m.kind() == MetricKind.DISTINCT) {
                            g.writeStringField(m.column(), Base64.getEncoder().encodeToString(Hll.toBytes(value.sketch(m.name()))));
                        } else {
                            g.writeNumberField(m.column(), value.longValue(m.name()));
                        }
                    }
                    g.writeStringField(DruidSchema.RUN_ID, run);
                    g.writeStringField(DruidSchema.ROW_KIND, DruidSchema.DATA);
                    g.writeEndObject();
                    n[0]++;
                } catch (IOException e) {
                    failure[0] = e;
                }
            });
            if (failure[0] != null) {
                throw failure[0];
            }
            g.writeStartObject();
            g.writeNumberField(DruidSchema.TIME, 0L);
            g.writeStringField(DruidSchema.RUN_ID, run);
            g.writeStringField(DruidSchema.ROW_KIND, DruidSchema.MARKER);
            g.writeEndObject();
            g.writeRaw('\n');
        }
        return n[0];
    }

    private static void writeRun(BatchSnapshot batch, Path file) throws IOException {
        ObjectNode row = DruidClient.JSON.createObjectNode();
        row.put(DruidSchema.TIME, batch.cutoff());
        row.put(DruidSchema.RUN_ID, batch.runId());
        row.put(DruidSchema.MANIFEST, new String(batch.manifest().toJson(), StandardCharsets.UTF_8));
        row.put(DruidSchema.EXPORTED_AT, Instant.now().toString());
        Files.write(file, (DruidClient.JSON.writeValueAsString(row) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * An index_parallel task replacing the whole datasource: one time chunk for all time
     * ({@code segmentGranularity = all}), no roll-up, not appended, so its segments overshadow the
     * previous export's entirely.
     */
    static JsonNode indexTask(String datasource, ArrayNode dimensions, Path dir, String file) {
        ObjectNode task = DruidClient.JSON.createObjectNode();
        task.put("type", "index_parallel");
        ObjectNode spec = task.putObject("spec");
        ObjectNode schema = spec.putObject("dataSchema");
        schema.put("dataSource", datasource);
        schema.putObject("timestampSpec").put("column", DruidSchema.TIME).put("format", "millis");
        schema.putObject("dimensionsSpec").set("dimensions", dimensions);
        schema.putObject("granularitySpec").put("segmentGranularity", "all").put("queryGranularity", "none")
                .put("rollup", false);
        ObjectNode io = spec.putObject("ioConfig");
        io.put("type", "index_parallel");
        io.putObject("inputSource").put("type", "local").put("baseDir", dir.toString()).put("filter", file);
        io.putObject("inputFormat").put("type", "json");
        io.put("appendToExisting", false);
        ObjectNode tuning = spec.putObject("tuningConfig");
        tuning.put("type", "index_parallel");
        tuning.put("maxNumConcurrentSubTasks", 1);
        tuning.putObject("partitionsSpec").put("type", "dynamic");
        // bad rows fail the task instead of being dropped silently
        tuning.put("maxParseExceptions", 0);
        return task;
    }

    /** Waits until SQL on the broker sees only the new run, with the right row counts, everywhere, and names it in tandem_batch_runs. */
    private void awaitServed(String run, Map<String, Long> rows) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (true) {
            try {
                DruidBatchSource.verify(client, run, rows);
                String held = DruidBatchSource.heldRun(client).map(m -> m.runId()).orElse(null);
                if (run.equals(held)) {
                    return;
                }
                last = DruidSchema.RUNS + " still names run " + held;
            } catch (IOException e) {
                last = e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("Druid does not serve run " + run + " after " + timeout + ": " + last);
            }
            Thread.sleep(500);
        }
    }
}
