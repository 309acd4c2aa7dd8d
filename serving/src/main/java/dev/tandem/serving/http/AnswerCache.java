package dev.tandem.serving.http;

import dev.tandem.serving.batch.BatchSnapshot;
import dev.tandem.serving.query.QueryService;
import dev.tandem.serving.realtime.RealtimeSnapshot;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
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
 * holding older snapshots compute their answer without touching the cache.
 *
 * <p>Each answer keeps its JSON bytes and, made on first demand, a gzip copy, so a dashboard that
 * asks for gzip costs one compression per answer and generation, not one per request.
 */
public final class AnswerCache {

    /** One serialized answer; the arrays are never modified after construction. */
    public static final class Answer {
        private final byte[] json;
        private volatile byte[] gzip;

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
        final ConcurrentHashMap<String, Answer> answers = new ConcurrentHashMap<>();
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
    private volatile Generation current;
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

    /** The answer stored for {@code key} under exactly these snapshots, or null. */
    public Answer get(QueryService.Snapshots snaps, String key) {
        Generation g = current;
        Answer a = g != null && g.of(snaps) ? g.answers.get(key) : null;
        if (a != null) {
            hits.increment();
        }
        return a;
    }

    /**
     * Stores the answer computed from {@code snaps} for {@code key} and returns it. If the
     * current generation is of other snapshots, it is replaced by one of {@code snaps}: a request
     * holding snapshots newer than the current generation's moves the cache forward; one holding
     * older snapshots at worst moves it back until the next request (answers stay exact either
     * way, since every lookup compares snapshot identities).
     */
    public Answer put(QueryService.Snapshots snaps, String key, byte[] json) {
        misses.increment();
        Answer a = new Answer(json);
        if (json.length > maxAnswerBytes) {
            return a;
        }
        Generation g = current;
        if (g == null || !g.of(snaps)) {
            g = new Generation(snaps);
            current = g;
            generations.incrementAndGet();
        }
        if (g.answers.size() >= maxAnswers || g.bytes.get() + json.length > maxBytes) {
            Generation fresh = new Generation(snaps);
            current = fresh;
            g = fresh;
        }
        Answer prev = g.answers.putIfAbsent(key, a);
        if (prev != null) {
            return prev;
        }
        g.bytes.addAndGet(json.length);
        return a;
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
        Generation g = current;
        return g == null ? 0 : g.answers.size();
    }
}
