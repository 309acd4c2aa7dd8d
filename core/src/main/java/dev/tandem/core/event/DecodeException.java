package dev.tandem.core.event;

import dev.tandem.core.validation.RejectReason;

/** A record that could not be turned into an {@link Event}; carries the quarantine reason. */
public class DecodeException extends Exception {

    private final RejectReason reason;

    public DecodeException(RejectReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public DecodeException(RejectReason reason, String message) {
        this(reason, message, null);
    }

    public RejectReason reason() {
        return reason;
    }
}
