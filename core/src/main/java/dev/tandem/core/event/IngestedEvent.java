package dev.tandem.core.event;

import dev.tandem.core.time.IngestTags;

import java.util.Comparator;

/**
 * An event with its place in the log: ingest time (the broker's LogAppendTime), partition and
 * offset. The triple is the event's position; the first position of an event_id wins dedup.
 */
public record IngestedEvent(Event event, long ingestTime, int partition, long offset) {

    /** Log order: ingest time, then partition, then offset. Dedup keeps the smallest. */
    public static final Comparator<IngestedEvent> LOG_ORDER = Comparator
            .comparingLong(IngestedEvent::ingestTime)
            .thenComparingInt(IngestedEvent::partition)
            .thenComparingLong(IngestedEvent::offset);

    /** The ingest tag: ingest time truncated to the hour. */
    public long tag() {
        return IngestTags.tagOf(ingestTime);
    }

    public boolean precedes(IngestedEvent other) {
        return LOG_ORDER.compare(this, other) < 0;
    }
}
