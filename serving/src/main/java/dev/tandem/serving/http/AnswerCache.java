package dev.tandem.serving.http;

import dev.tandem.serving.batch.BatchSnapshot;
import dev.tandem.serving.query.QueryService;
import dev.tandem.serving.realtime.RealtimeSnapshot;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.GZIPOutputStream;

/**
 * Serialized answers of one generation: the batch snapshot, the realtime snapshot and the
 * realtime readiness they were computed from, compared by <em>identity</em>. An answer is a pure
 * function of (request, batch snapshot, realtime snapshot, readiness), so a stored answer is
 * exactly the answer a fresh computation would give a request that took the same snapshots.
 *
 * <p>A request that took other snapshots than the current generation's — the realtime store
 * published, a new batch version was swapped in, the store finished its replay — starts a new
 * generation: the old answers are dropped at once and can never be served again. Requests still
 * holding older snapshots compute their answer without touching the cache. Concurrent requests
 * for an answer not yet stored wait for one computation of it.
 *
 * <p>Each answer keeps its JSON bytes and, made on first demand, a gzip copy, so a dashboard that
 * asks for gzip costs one compression per answer and generation, not one per request.
 */
public final class AnswerCache {

    /** One serialized answer; the arrays are never modified after construction. */
    public static final class Answer {
        private final byte[] json;
        private volatile byte[] gzip;
        private volatile ByteBuffer jsonDirect;
        private volatile ByteBuffer gzipDirect;

        public Answer(byte[] json) {
            this.json = json;
        }

        public byte[] json() {
            return json;
        }

        /** The JSON gzip-compressed (computed once, on first demand). */
        public byte[] gzip() {
            byte[] g = gzip;
            if (g == null) {
                g = compress(json);
                gzip = g;
            }
            return g;
        }

        /**
         * The body to write, as a fresh read-only view of an off-heap copy made on first demand:
         * a socket write from heap memory copies the bytes into a temporary direct buffer first,
         * which for the 146 KB dashboard answer cost more CPU than the kernel's own copy.
         */
        public ByteBuffer body(boolean gzipped) {
            ByteBuffer b = gzipped ? gzipDirect : jsonDirect;
            if (b == null) {
                byte[] bytes = gzipped ? gzip() : json;
                b = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip().asReadOnlyBuffer();
                if (gzipped) {
                    gzipDirect = b;
                } else {
                    jsonDirect = b;
                }
            }
            return b.duplicate();
        }

        private static byte[] compress(byte[] in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, in.length / 8));
            try (GZIPOutputStream z = new GZIPOutputStream(out, 8192)) {
                z.write(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e); // cannot happen in memory
            }
            return out.toByteArray();
        }
    }

    private static final class Generation {
        final BatchSnapshot batch;
        final RealtimeSnapshot realtime;
        final boolean realtimeReady;
        /** key → {@link Answer}, or the {@link FutureTask} computing it. */
        final ConcurrentHashMap<String, Object> answers = new ConcurrentHashMap<>();
        final AtomicLong bytes = new AtomicLong();

        Generation(QueryService.Snapshots s) {
            this.batch = s.batch();
            this.realtime = s.realtime();
            this.realtimeReady = s.realtimeReady();
        }

        boolean of(QueryService.Snapshots s) {
            return batch == s.batch() && realtime == s.realtime() && realtimeReady == s.realtimeReady();
        }
    }

    private final int maxAnswers;
    private final long maxBytes;
    private final int maxAnswerBytes;
    private final AtomicReference<Generation> current = new AtomicReference<>();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final AtomicLong generations = new AtomicLong();

    /**
     * @param maxAnswers     answers kept per generation; when full, the generation starts over
     * @param maxBytes       JSON bytes kept per generation; when full, the generation starts over
     * @param maxAnswerBytes larger answers are served but not kept
     */
    public AnswerCache(int maxAnswers, long maxBytes, int maxAnswerBytes) {
        this.maxAnswers = maxAnswers;
        this.maxBytes = maxBytes;
        this.maxAnswerBytes = maxAnswerBytes;
    }

    /** The answer stored for {@code key} under exactly these snapshots, or null (also while it is being computed). */
    public Answer get(QueryService.Snapshots snaps, String key) {
        Generation g = current.get();
        Object a = g != null && g.of(snaps) ? g.answers.get(key) : null;
        if (a instanceof Answer answer) {
            hits.increment();
            return answer;
        }
        return null;
    }

    /** The JSON of an answer; may throw the query's own exception (a 4xx), which is never stored. */
    @FunctionalInterface
    public interface Compute {
        byte[] json() throws Exception;
    }

    /**
     * The answer for {@code key} under {@code snaps}: the stored one, or computed once — requests
     * for the same key and snapshots that arrive meanwhile wait for that computation instead of
     * repeating it. If the current generation is of other snapshots, a generation of
     * {@code snaps} replaces it (every stored answer dropped). A request still holding older
     * snapshots than the current generation's moves the cache back until the next request moves
     * it forward again: a recomputation, never a wrong answer, since every lookup compares
     * snapshot identities.
     */
    public Answer getOrCompute(QueryService.Snapshots snaps, String key, Compute compute) throws Exception {
        Generation g = generationFor(snaps);
        Object v = g.answers.get(key);
        if (v instanceof Answer a) {
            hits.increment();
            return a;
        }
        if (v == null) {
            if (g.answers.size() >= maxAnswers || g.bytes.get() >= maxBytes) {
                Generation fresh = new Generation(snaps);
                current.compareAndSet(g, fresh);
                g = fresh;
            }
            FutureTask<Answer> task = new FutureTask<>(() -> new Answer(compute.json()));
            v = g.answers.putIfAbsent(key, task);
            if (v == null) {
                misses.increment();
                task.run();
                v = task;
            } else if (v instanceof Answer a) {
                hits.increment();
                return a;
            }
        }
        @SuppressWarnings("unchecked")
        FutureTask<Answer> task = (FutureTask<Answer>) v;
        Answer a;
        try {
            a = task.get();
        } catch (ExecutionException e) {
            g.answers.remove(key, task);
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw (Error) cause;
        }
        if (a.json.length > maxAnswerBytes) {
            g.answers.remove(key, task);
        } else if (g.answers.replace(key, task, a)) {
            g.bytes.addAndGet(a.json.length);
        }
        return a;
    }

    private Generation generationFor(QueryService.Snapshots snaps) {
        while (true) {
            Generation g = current.get();
            if (g != null && g.of(snaps)) {
                return g;
            }
            Generation next = new Generation(snaps);
            if (current.compareAndSet(g, next)) {
                generations.incrementAndGet();
                return next;
            }
        }
    }

    public long hits() {
        return hits.sum();
    }

    public long misses() {
        return misses.sum();
    }

    /** How many times the snapshots changed under the cache (each time, every stored answer was dropped). */
    public long generations() {
        return generations.get();
    }

    /** Answers stored for the current generation. */
    public int size() {
        Generation g = current.get();
        return g == null ? 0 : (int) g.answers.values().stream().filter(v -> v instanceof Answer).count();
    }
}
