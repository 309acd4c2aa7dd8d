package dev.tandem.core.event;

/**
 * A raw record of {@code tandem.events} as the log holds it: value bytes (Avro single-object
 * encoding) and the record's position. Undecodable and invalid records are still LogRecords.
 */
public record LogRecord(byte[] value, long ingestTime, int partition, long offset) {
}
