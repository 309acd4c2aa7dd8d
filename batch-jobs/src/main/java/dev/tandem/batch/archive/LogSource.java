package dev.tandem.batch.archive;

import dev.tandem.core.event.LogRecord;

import java.util.List;
import java.util.OptionalLong;

/** The event log as the archive sees it: raw records by ingest-time range. */
public interface LogSource extends AutoCloseable {

    /** The smallest ingest time still in the log, or empty when the log is empty. */
    OptionalLong earliestIngestTime();

    /** Every record whose ingest time is in [{@code from}, {@code to}), all partitions. */
    List<LogRecord> read(long from, long to);

    @Override
    void close();
}
