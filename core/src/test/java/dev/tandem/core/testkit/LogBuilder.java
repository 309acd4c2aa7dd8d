package dev.tandem.core.testkit;

import dev.tandem.core.event.Event;
import dev.tandem.core.event.IngestedEvent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a log the way the broker would: every append gets the ingest time given and the next
 * offset of its partition.
 */
public final class LogBuilder {

    private final List<IngestedEvent> log = new ArrayList<>();
    private final Map<Integer, Long> nextOffset = new HashMap<>();

    public LogBuilder append(Event e, String ingestIso) {
        return append(e, TestEvents.t(ingestIso), 0);
    }

    public LogBuilder append(Event e, long ingestTime, int partition) {
        long offset = nextOffset.merge(partition, 1L, Long::sum) - 1;
        log.add(new IngestedEvent(e, ingestTime, partition, offset));
        return this;
    }

    public List<IngestedEvent> build() {
        return List.copyOf(log);
    }
}
