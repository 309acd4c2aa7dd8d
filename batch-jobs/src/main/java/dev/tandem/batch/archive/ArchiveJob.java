package dev.tandem.batch.archive;

import dev.tandem.batch.spark.MasterRows;
import dev.tandem.core.event.EventCodec;
import dev.tandem.core.event.EventSchemas;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.event.LogRecord;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.validation.Checked;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * Archives complete ingest hours of the log into the master dataset, exactly once (DESIGN §5, §6):
 * <ul>
 *   <li>An hour is archived once it ended at least {@code grace} ago (ingest time is the broker's
 *       clock; the grace covers the skew between it and ours).</li>
 *   <li>Each hour's records are the offset range of that hour in every partition
 *       ({@link LogSource}); decoding and validation are core's ({@link EventCodec#check}). Valid
 *       records become master rows, bad ones quarantine rows with their raw bytes and reason.
 *       Duplicates are kept: dedup over all history is the recompute's job.</li>
 *   <li>The hour is written whole or not at all: leftovers of a crashed attempt are deleted, files
 *       are written to a staging directory by Spark and moved in, the counts are reconciled
 *       (records = archived + quarantined, re-read from the written files) and only then
 *       {@code _SUCCESS} marks the hour complete. A complete hour is never rewritten, so a rerun
 *       changes nothing.</li>
 * </ul>
 */
public final class ArchiveJob {

    private static final Logger LOG = LoggerFactory.getLogger(ArchiveJob.class);
    public static final StructType QUARANTINE = MasterRows.sparkSchemaOf(EventSchemas.QUARANTINE_RECORD);

    /** What happened to one hour. */
    public record HourResult(long hour, long records, long archived, long quarantined, boolean skipped) {
        @Override
        public String toString() {
            return IngestTags.hourLabel(hour) + (skipped ? " already complete"
                    : ": records=" + records + " archived=" + archived + " quarantined=" + quarantined);
        }
    }

    /** Test seam: called after an hour's master files are in place, before quarantine and _SUCCESS. */
    public interface Hooks {
        Hooks NONE = hour -> {
        };

        void afterMasterFiles(long hour);
    }

    private final SparkSession spark;
    private final StorageLayout layout;
    private final LogSource source;
    private final Clock clock;
    private final Duration grace;
    private final Hooks hooks;

    public ArchiveJob(SparkSession spark, StorageLayout layout, LogSource source, Clock clock, Duration grace, Hooks hooks) {
        this.spark = spark;
        this.layout = layout;
        this.source = source;
        this.clock = clock;
        this.grace = grace;
        this.hooks = hooks;
    }

    /**
     * Archives every complete hour from {@code fromHour} (default: the log's earliest hour) up to
     * the last hour that ended {@code grace} ago.
     */
    public List<HourResult> run(OptionalLong fromHour) throws IOException {
        List<HourResult> out = new ArrayList<>();
        OptionalLong earliest = fromHour.isPresent() ? fromHour : source.earliestIngestTime();
        if (earliest.isEmpty()) {
            LOG.info("the log is empty: nothing to archive");
            return out;
        }
        long first = IngestTags.tagOf(earliest.getAsLong());
        long endExclusive = IngestTags.tagOf(clock.millis() - grace.toMillis());
        for (long h = first; h < endExclusive; h += IngestTags.HOUR_MS) {
            HourResult r = layout.isHourComplete(h) ? new HourResult(h, 0, 0, 0, true) : archiveHour(h);
            if (!r.skipped()) {
                LOG.info("archived {}", r);
            }
            out.add(r);
        }
        return out;
    }

    HourResult archiveHour(long h) throws IOException {
        List<LogRecord> records = source.read(h, h + IngestTags.HOUR_MS);
        List<Row> master = new ArrayList<>();
        List<Row> quarantine = new ArrayList<>();
        for (LogRecord r : records) {
            Checked c = EventCodec.get().check(r.value(), r.ingestTime());
            if (c.isValid()) {
                master.add(MasterRows.toMasterRow(new IngestedEvent(c.event(), r.ingestTime(), r.partition(), r.offset())));
            } else {
                quarantine.add(RowFactory.create(r.value(), c.rejection().code(), c.rejection().detail(),
                        r.ingestTime(), r.partition(), r.offset()));
            }
        }
        FileSystem fs = layout.fs();
        Path dir = layout.masterHourDir(h);
        Path qdir = layout.quarantineHourDir(h);
        // an incomplete hour is a crashed attempt: start it again from nothing
        fs.delete(dir, true);
        fs.delete(qdir, true);
        Path staging = new Path(layout.root(), "master/_staging/" + IngestTags.hourLabel(h) + "-" + UUID.randomUUID());
        try {
            long archived = write(master, MasterRows.MASTER, new Path(staging, "events"), dir);
            hooks.afterMasterFiles(h);
            long quarantined = write(quarantine, QUARANTINE, new Path(staging, "quarantine"), qdir);
            if (archived != master.size() || quarantined != quarantine.size() || records.size() != archived + quarantined) {
                throw new IllegalStateException("hour " + IngestTags.hourLabel(h) + " does not reconcile: records="
                        + records.size() + " archived=" + archived + " quarantined=" + quarantined);
            }
            layout.markHourComplete(h);
            return new HourResult(h, records.size(), archived, quarantined, false);
        } finally {
            fs.delete(staging, true);
        }
    }

    /** Writes rows with Spark into staging, moves the part files into {@code target}; returns the rows re-read. */
    private long write(List<Row> rows, StructType schema, Path staging, Path target) throws IOException {
        FileSystem fs = layout.fs();
        fs.mkdirs(target);
        if (rows.isEmpty()) {
            return 0;
        }
        spark.conf().set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MILLIS");
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(staging.toString());
        List<String> moved = new ArrayList<>();
        for (FileStatus st : fs.listStatus(staging)) {
            String name = st.getPath().getName();
            if (st.isFile() && name.endsWith(".parquet")) {
                Path dst = new Path(target, name);
                if (!fs.rename(st.getPath(), dst)) {
                    throw new IOException("cannot move " + st.getPath() + " to " + dst);
                }
                moved.add(dst.toString());
            }
        }
        return spark.read().schema(schema).parquet(moved.toArray(new String[0])).count();
    }
}
