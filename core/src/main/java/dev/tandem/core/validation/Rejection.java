package dev.tandem.core.validation;

import java.util.Objects;

/** A named reason plus a human-readable detail (which field, which value). */
public record Rejection(RejectReason reason, String detail) {

    public Rejection {
        Objects.requireNonNull(reason, "reason");
    }

    public String code() {
        return reason.code();
    }

    @Override
    public String toString() {
        return reason.code() + (detail == null ? "" : ": " + detail);
    }
}
