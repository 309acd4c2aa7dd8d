package dev.tandem.serving.realtime;

/**
 * How the realtime store is doing.
 *
 * @param source          where it reads from (bootstrap servers and topic, or "memory")
 * @param lagRecords      changelog records not yet applied (sum over partitions), -1 when unknown
 * @param lastRecordTime  the Kafka timestamp of the newest record applied, -1 before the first
 * @param appliedRecords  records applied since start (tombstones included)
 * @param corruptRecords  records skipped because they could not be decoded
 * @param lastError       the last consumer error, or null
 */
public record RealtimeStatus(String source, long lagRecords, long lastRecordTime, long appliedRecords,
                             long corruptRecords, String lastError) {
}
