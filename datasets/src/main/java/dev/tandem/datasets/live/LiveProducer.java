package dev.tandem.datasets.live;

import dev.tandem.core.topics.Topics;
import dev.tandem.datasets.generate.EventFactory;
import dev.tandem.datasets.generate.GeneratorConfig;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Sends live events to {@code tandem.events} at a steady rate, with the same mix as the history
 * (late, malformed, v1 and v2) plus producer retries: a duplicate is the same key and bytes sent
 * again a moment later, which is what a non-idempotent retry leaves in the log.
 */
public final class LiveProducer {

    private static final Logger LOG = LoggerFactory.getLogger(LiveProducer.class);

    private final Producer<String, byte[]> producer;
    private final GeneratorConfig cfg;
    private final LongSupplier clock;

    /** Totals of one run. */
    public record Result(long sent, long duplicates, long bad, long late) {
    }

    public LiveProducer(Producer<String, byte[]> producer, GeneratorConfig cfg, LongSupplier clock) {
        this.producer = producer;
        this.cfg = cfg;
        this.clock = clock;
    }

    /**
     * Sends {@code ratePerSecond} records per second until {@code duration} has passed (zero: until
     * {@code stop} says so), then flushes. Fails on the first record the broker refuses.
     */
    public Result run(int ratePerSecond, Duration duration, BooleanSupplier stop) throws InterruptedException {
        if (ratePerSecond < 1) {
            throw new IllegalArgumentException("rate must be at least 1 event/s");
        }
        SplittableRandom rnd = new SplittableRandom(cfg.seed());
        EventFactory factory = new EventFactory(cfg, rnd.split());
        SplittableRandom retries = rnd.split();
        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicLong acked = new AtomicLong();
        Callback check = (md, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            } else {
                acked.incrementAndGet();
            }
        };
        long start = System.nanoTime();
        long end = duration.isZero() ? Long.MAX_VALUE : start + duration.toNanos();
        long sent = 0, duplicates = 0, bad = 0, late = 0;
        long nextLog = start + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < end && !stop.getAsBoolean()) {
            if (failure.get() != null) {
                throw new IllegalStateException("the broker refused a record: " + failure.get(), failure.get());
            }
            // how many records should be out by now
            long due = (long) ((System.nanoTime() - start) / 1e9 * ratePerSecond) + 1;
            while (sent < due) {
                EventFactory.Made m = factory.next(clock.getAsLong());
                producer.send(new ProducerRecord<>(Topics.EVENTS, m.key(), m.value()), check);
                sent++;
                bad += m.badReason() == null ? 0 : 1;
                late += m.late() ? 1 : 0;
                if (m.badReason() == null && retries.nextDouble() < cfg.duplicateRate()) {
                    producer.send(new ProducerRecord<>(Topics.EVENTS, m.key(), m.value()), check);
                    sent++;
                    duplicates++;
                }
            }
            if (System.nanoTime() > nextLog) {
                LOG.info("produced {} records ({} duplicates, {} bad, {} late), {} acknowledged",
                        sent, duplicates, bad, late, acked.get());
                nextLog += Duration.ofSeconds(5).toNanos();
            }
            Thread.sleep(5);
        }
        producer.flush();
        if (failure.get() != null) {
            throw new IllegalStateException("the broker refused a record: " + failure.get(), failure.get());
        }
        return new Result(sent, duplicates, bad, late);
    }
}
