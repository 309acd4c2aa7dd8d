package dev.tandem.core.event;

/** The four kinds of event Tandem accepts; the symbols match the Avro enum of every schema version. */
public enum EventType {
    AD_IMPRESSION,
    AD_CLICK,
    ORDER_CREATED,
    SEARCH
}
