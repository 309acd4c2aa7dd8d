package dev.tandem.serving.batch;

import dev.tandem.core.storage.StorageLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Serves the batch version named by {@code CURRENT}: polls the pointer, loads a newly published
 * run completely off to the side, then swaps the whole {@link BatchSnapshot} in with one
 * {@link AtomicReference#set}. A query holds the snapshot it started with, so no query fails or
 * sees a mix of versions during the swap.
 *
 * <p>Failure behaviour: if a published run cannot be loaded (missing or corrupt files, manifest
 * mismatch), the previous snapshot stays in service, the error is kept for {@code /api/v1/status}
 * and the load is retried at the next poll.
 */
public final class BatchWatcher implements BatchBackend {

    private static final Logger LOG = LoggerFactory.getLogger(BatchWatcher.class);

    private final StorageLayout layout;
    private final BatchLoader loader;
    private final LongSupplier clock;
    private final AtomicReference<BatchSnapshot> current;
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private volatile long lastCheck = -1;
    private volatile boolean checkedOnce;
    private ScheduledExecutorService poller;

    public BatchWatcher(StorageLayout layout, LongSupplier clock) {
        this.layout = layout;
        this.loader = new BatchLoader(layout, clock);
        this.clock = clock;
        this.current = new AtomicReference<>(BatchSnapshot.none(clock.getAsLong()));
    }

    @Override
    public BatchSnapshot current() {
        return current.get();
    }

    /** Checks CURRENT once now (also the first load at start). */
    public synchronized BatchSnapshot check() {
        return check(false);
    }

    /** Reloads the run named by CURRENT even when it is the one being served (admin reload). */
    public synchronized BatchSnapshot reload() throws IOException {
        BatchSnapshot s = check(true);
        String err = lastError.get();
        if (err != null) {
            throw new IOException(err);
        }
        return s;
    }

    private BatchSnapshot check(boolean force) {
        lastCheck = clock.getAsLong();
        try {
            Optional<String> published = layout.readCurrent();
            BatchSnapshot served = current.get();
            if (published.isPresent() && (force || !published.get().equals(served.runId()))) {
                long t0 = System.nanoTime();
                BatchSnapshot next = loader.load(published.get());
                current.set(next);
                LOG.info("serving batch run {} (cutoff {}) loaded in {} ms", next.runId(),
                        java.time.Instant.ofEpochMilli(next.cutoff()), (System.nanoTime() - t0) / 1_000_000);
            }
            lastError.set(null);
        } catch (IOException | RuntimeException e) {
            String msg = "cannot load the published batch version: " + e.getMessage();
            if (!msg.equals(lastError.getAndSet(msg))) {
                LOG.error(msg, e);
            }
        } finally {
            checkedOnce = true;
        }
        return current.get();
    }

    /** Starts polling CURRENT every {@code interval} (after one synchronous check). */
    public BatchWatcher start(Duration interval) {
        check();
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "batch-watcher");
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    public Optional<String> lastError() {
        return Optional.ofNullable(lastError.get());
    }

    public long lastCheck() {
        return lastCheck;
    }

    public boolean checkedOnce() {
        return checkedOnce;
    }

    @Override
    public void close() {
        if (poller != null) {
            poller.shutdownNow();
        }
    }
}
