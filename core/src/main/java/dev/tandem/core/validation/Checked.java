package dev.tandem.core.validation;

import dev.tandem.core.event.Event;

/** The outcome of decoding and validating one record: either a valid event or a rejection. */
public record Checked(Event event, Rejection rejection) {

    public static Checked valid(Event event) {
        return new Checked(event, null);
    }

    public static Checked rejected(RejectReason reason, String detail) {
        return new Checked(null, new Rejection(reason, detail));
    }

    public boolean isValid() {
        return rejection == null;
    }
}
