package dev.tandem.core.event;

/** The four kinds of event Tandem accepts; the symbols match the Avro enum of every schema version. */
public enum EventType {
    AD_IMPRESSION,
    AD_CLICK,
    ORDER_CREATED,
    SEARCH;

    /**
     * The type with this name, or null for null or a name this version does not know; engines read
     * type names from stored rows this way, and the validator rejects a null type as {@code unknown_type}.
     */
    public static EventType ofNameOrNull(String name) {
        if (name == null) {
            return null;
        }
        try {
            return valueOf(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
