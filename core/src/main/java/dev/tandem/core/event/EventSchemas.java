package dev.tandem.core.event;

import org.apache.avro.Schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The known Avro schemas of {@code Event}. Readers always use {@link #LATEST}; writers of any
 * listed version are resolved to it (v1 lacks currency, which then reads as the default "USD").
 */
public final class EventSchemas {

    public static final Schema V1 = load("/avro/event-v1.avsc");
    public static final Schema V2 = load("/avro/event-v2.avsc");
    public static final Schema LATEST = V2;
    /** Every schema a writer may have used, oldest first. */
    public static final List<Schema> KNOWN = List.of(V1, V2);

    /** Master dataset rows: the latest Event fields plus the log position. */
    public static final Schema MASTER_EVENT = load("/avro/master-event.avsc");
    /** Quarantine rows: raw bytes, the reason, and the log position. */
    public static final Schema QUARANTINE_RECORD = load("/avro/quarantine-record.avsc");

    private EventSchemas() {
    }

    public static Schema load(String resource) {
        try (InputStream in = EventSchemas.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema resource missing: " + resource);
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
