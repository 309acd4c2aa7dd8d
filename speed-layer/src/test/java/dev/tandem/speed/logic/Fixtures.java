package dev.tandem.speed.logic;

import dev.tandem.core.event.Event;
import dev.tandem.speed.model.PositionedEvent;

import static dev.tandem.core.testkit.TestEvents.t;

/** Named fixtures: events at given log positions. */
final class Fixtures {

    static final long HOUR = 3_600_000L;
    static final long RETENTION = 48 * HOUR;

    private Fixtures() {
    }

    static PositionedEvent at(Event e, String ingestIso, int partition, long offset) {
        return PositionedEvent.of(e, t(ingestIso), partition, offset);
    }
}
