package dev.tandem.serving.druid;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.core.storage.RunManifest;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.Views;
import dev.tandem.serving.batch.BatchBackend;
import dev.tandem.serving.batch.BatchSnapshot;
import dev.tandem.serving.batch.BatchView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * The batch layer served from Druid ({@code serve --backend druid}): polls {@code tandem_batch_runs}
 * for the run Druid holds, checks that every view datasource holds exactly that run with the
 * manifest's row counts, and then serves a {@link BatchSnapshot} whose views query Druid per request
 * ({@link DruidBatchView}). As with the embedded watcher, a run that fails the check is not served:
 * the previous snapshot stays, the error shows in {@code /api/v1/status}, the check is retried.
 */
public final class DruidBatchSource implements BatchBackend {

    private static final Logger LOG = LoggerFactory.getLogger(DruidBatchSource.class);

    private final DruidClient client;
    private final LongSupplier clock;
    private final AtomicReference<BatchSnapshot> current;
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private final java.util.concurrent.atomic.AtomicBoolean recheckPending = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile ScheduledExecutorService poller;

    public DruidBatchSource(DruidClient client, LongSupplier clock) {
        this.client = client;
        this.clock = clock;
        this.current = new AtomicReference<>(BatchSnapshot.none(clock.getAsLong()));
    }

    @Override
    public BatchSnapshot current() {
        return current.get();
    }

    public synchronized BatchSnapshot check() {
        return check(false);
    }

    public synchronized BatchSnapshot reload() throws IOException {
        BatchSnapshot s = check(true);
        String err = lastError.get();
        if (err != null) {
            throw new IOException(err);
        }
        return s;
    }

    private BatchSnapshot check(boolean force) {
        try {
            Optional<RunManifest> held = heldRun(client);
            BatchSnapshot served = current.get();
            if (held.isPresent() && (force || !held.get().runId().equals(served.runId()))) {
                RunManifest m = held.get();
                Map<String, Long> counts = verify(client, m.runId(), m.rowCounts());
                Map<String, BatchView> views = new HashMap<>();
                for (ViewDefinition v : Views.ALL) {
                    views.put(v.name(), new DruidBatchView(client, v, m.runId(), Math.toIntExact(counts.get(v.name())),
                            this::checkSoon));
                }
                current.set(new BatchSnapshot(m.runId(), m, m.cutoffMillis(), clock.getAsLong(), views));
                LOG.info("serving batch run {} (cutoff {}) from Druid at {}", m.runId(), m.cutoff(), client.base());
            }
            lastError.set(null);
        } catch (IOException | RuntimeException e) {
            String msg = "cannot serve the batch version held by Druid: " + e.getMessage();
            if (!msg.equals(lastError.getAndSet(msg))) {
                LOG.error(msg);
            }
        }
        return current.get();
    }

    /** The run recorded in {@code tandem_batch_runs}; empty when nothing was exported yet. */
    public static Optional<RunManifest> heldRun(DruidClient client) throws IOException {
        List<JsonNode> rows;
        try {
            rows = client.sql("SELECT " + DruidSchema.quote(DruidSchema.RUN_ID) + ", " + DruidSchema.quote(DruidSchema.MANIFEST)
                    + " FROM " + DruidSchema.quote(DruidSchema.RUNS), List.of());
        } catch (DruidClient.DruidException e) {
            if (e.status() == 400 && e.getMessage().contains("not found")) {
                return Optional.empty(); // the datasource does not exist: nothing exported
            }
            throw e;
        }
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        if (rows.size() > 1) {
            throw new IOException(DruidSchema.RUNS + " holds " + rows.size() + " rows; expected one (an export under way?)");
        }
        RunManifest m = RunManifest.fromJson(rows.get(0).get(1).asText().getBytes(StandardCharsets.UTF_8));
        if (!m.runId().equals(rows.get(0).get(0).asText())) {
            throw new IOException(DruidSchema.RUNS + " names run " + rows.get(0).get(0).asText() + " with the manifest of " + m.runId());
        }
        return Optional.of(m);
    }

    /**
     * Checks that every view's datasource holds only {@code run} (its marker row and data rows) and,
     * where {@code expected} says, that many data rows. Returns the data rows per view.
     */
    public static Map<String, Long> verify(DruidClient client, String run, Map<String, Long> expected) throws IOException {
        Map<String, Long> counts = new HashMap<>();
        for (ViewDefinition v : Views.ALL) {
            List<JsonNode> rows;
            try {
                rows = client.sql("SELECT " + DruidSchema.quote(DruidSchema.RUN_ID) + ", COUNT(*) FILTER (WHERE "
                        + DruidSchema.quote(DruidSchema.ROW_KIND) + " = '" + DruidSchema.DATA + "') FROM "
                        + DruidSchema.quote(DruidSchema.datasource(v)) + " GROUP BY 1", List.of());
            } catch (DruidClient.DruidException e) {
                throw new IOException("view " + v.name() + ": " + e.getMessage(), e);
            }
            if (rows.size() != 1 || !run.equals(rows.get(0).get(0).asText())) {
                throw new IOException("datasource " + DruidSchema.datasource(v) + " holds runs "
                        + rows.stream().map(r -> r.get(0).asText()).toList() + ", not only " + run);
            }
            long n = rows.get(0).get(1).asLong();
            Long want = expected.get(v.name());
            if (want != null && want != n) {
                throw new IOException("datasource " + DruidSchema.datasource(v) + " holds " + n + " rows of run " + run
                        + "; its manifest says " + want);
            }
            counts.put(v.name(), n);
        }
        return counts;
    }

    /**
     * A query met rows of a newer run: Druid is switching versions. Check now rather than at the
     * next poll, so the window in which queries answer 503 is as short as the export allows.
     */
    private void checkSoon() {
        ScheduledExecutorService p = poller;
        if (p != null && !p.isShutdown() && recheckPending.compareAndSet(false, true)) {
            try {
                p.schedule(() -> {
                    recheckPending.set(false);
                    check();
                }, 200, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                recheckPending.set(false); // shutting down
            }
        }
    }

    public DruidBatchSource start(Duration interval) {
        check();
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "druid-batch-watcher");
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    public Optional<String> lastError() {
        return Optional.ofNullable(lastError.get());
    }

    @Override
    public void close() {
        if (poller != null) {
            poller.shutdownNow();
        }
    }
}
