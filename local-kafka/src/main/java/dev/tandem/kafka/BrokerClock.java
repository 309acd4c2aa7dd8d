package dev.tandem.kafka;

import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.utils.Time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The broker's wall clock, which tests may move forward. Ingest time is the broker's
 * {@code LogAppendTime}, so moving this clock is how an end-to-end test makes ingest hours complete
 * without waiting an hour. Only the wall clock moves; {@link #nanoseconds()} stays monotonic and
 * real, so the broker's internal timeouts keep working. Never moves backwards.
 */
public final class BrokerClock implements Time {

    private final AtomicLong offsetMs = new AtomicLong();

    @Override
    public long milliseconds() {
        return System.currentTimeMillis() + offsetMs.get();
    }

    @Override
    public long nanoseconds() {
        return System.nanoTime();
    }

    @Override
    public void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void waitObject(Object obj, Supplier<Boolean> condition, long deadlineMs) throws InterruptedException {
        synchronized (obj) {
            while (!condition.get()) {
                long now = milliseconds();
                if (now >= deadlineMs) {
                    throw new TimeoutException("condition not met before deadline");
                }
                obj.wait(deadlineMs - now);
            }
        }
    }

    /** Moves the broker's wall clock forward. */
    public void advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("the broker clock only moves forward");
        }
        offsetMs.addAndGet(d.toMillis());
    }

    /** Moves the clock forward to {@code epochMillis} (no-op when it is already past it). */
    public void advanceTo(long epochMillis) {
        long ahead = epochMillis - milliseconds();
        if (ahead > 0) {
            offsetMs.addAndGet(ahead);
        }
    }

    /** This clock as a {@link java.time.Clock} (UTC), for jobs that take one, such as archive and batch. */
    public Clock asClock() {
        BrokerClock broker = this;
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(broker.milliseconds());
            }
        };
    }
}
