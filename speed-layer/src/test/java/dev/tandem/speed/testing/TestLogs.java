package dev.tandem.speed.testing;

import dev.tandem.core.event.Event;
import dev.tandem.core.event.EventCodec;
import dev.tandem.core.event.EventSchemas;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.event.LogRecord;
import dev.tandem.core.testkit.RandomLogs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Raw logs for the job tests: core's {@code RandomLogs} (duplicates across partitions, window-edge
 * clicks, late and invalid events) encoded as the producers would (v1 for some USD events, v2 for
 * the rest), plus undecodable garbage. Deterministic per seed; in log order.
 */
public final class TestLogs {

    private TestLogs() {
    }

    /** A value as a producer would send it: v1 or v2 Avro, or garbage when it cannot be encoded. */
    public static byte[] encode(Event e, SplittableRandom rnd) {
        try {
            boolean v1 = "USD".equals(e.currency()) && rnd.nextBoolean();
            return v1 ? EventCodec.get().encode(e, EventSchemas.V1) : EventCodec.get().encode(e);
        } catch (IllegalArgumentException unencodable) {
            return ("{\"event_id\":\"" + e.eventId() + "\"}").getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Garbage a broken producer might send: text, truncated Avro, or nothing. */
    public static byte[] garbage(SplittableRandom rnd, byte[] somethingValid) {
        return switch (rnd.nextInt(3)) {
            case 0 -> "hello, not an event".getBytes(StandardCharsets.UTF_8);
            case 1 -> java.util.Arrays.copyOf(somethingValid, Math.max(1, somethingValid.length / 2));
            default -> new byte[0];
        };
    }

    /** Values only, in generation order (for producing to a broker, which assigns positions). */
    public static List<Produced> values(long seed, int size, long startHour) {
        SplittableRandom rnd = new SplittableRandom(seed * 31 + 7);
        List<IngestedEvent> events = new ArrayList<>(RandomLogs.generate(seed, size, startHour));
        events.sort(IngestedEvent.LOG_ORDER);
        List<Produced> out = new ArrayList<>();
        for (IngestedEvent ie : events) {
            byte[] value = encode(ie.event(), rnd);
            out.add(new Produced(ie.partition(), ie.event().userId(), value, ie.ingestTime()));
            if (rnd.nextInt(40) == 0) {
                out.add(new Produced(rnd.nextInt(4), "garbage", garbage(rnd, value), ie.ingestTime()));
            }
        }
        return out;
    }

    /** A complete log with positions as the generator assigned them (for sources without a broker). */
    public static List<LogRecord> log(long seed, int size, long startHour) {
        List<LogRecord> out = new ArrayList<>();
        long[] offsets = new long[8];
        for (Produced p : values(seed, size, startHour)) {
            out.add(new LogRecord(p.value(), p.ingestTime(), p.partition(), offsets[p.partition()]++));
        }
        return out;
    }

    /** One value to send: the partition the generator chose, a key, the bytes, its generated ingest time. */
    public record Produced(int partition, String key, byte[] value, long ingestTime) {
    }
}
