package dev.tandem.batch.spark;

import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.event.EventType;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.when;

/**
 * What an incremental run needs to know about the history below the previous cutoff H0, kept by
 * every Spark run under {@code views/runs/<run_id>/_state/} so that the next incremental run reads
 * only the master hours since H0 (DESIGN invariant 8 without rescanning history):
 * <ul>
 *   <li>{@code log} — one row per valid, deduplicated event below H0: its event_id (every one:
 *       the batch layer dedups over <em>all</em> history, DESIGN §3 — there is no dedup retention
 *       in batch, a retry may arrive any time later — and every hour below H0 precedes every new
 *       hour in log order, so a new record whose id is here is a duplicate of an already counted
 *       event, and one whose id is not here is a first copy exactly when it is first among the new
 *       hours) and type; impressions also carry the join's columns (event time, tag, campaign, log
 *       position: the attribution window is in event time, which is unbounded against ingest time
 *       for late events, so no older hour can be skipped), clicks their impression_id, time, tag
 *       and user. Other columns are null. One table, so that a run writes its state in one pass.</li>
 *   <li>{@code attributed_clicks} — the ids of the old clicks some impression below H0 attributes.
 *       The others are the open clicks, which a new impression may attribute; an attributed old
 *       click keeps its impression, because any new impression is later in log order and the
 *       rule takes the first.</li>
 * </ul>
 * These are the inputs of dedup and the join that a full run would read from the old hours; a full
 * run's facts with tag ≥ H0 are then exactly those computed from (state, new hours), so previous
 * version ⊕ delta = full. The state is written before the manifest, so a complete run always has
 * it; a run without one (another engine, an older version or layout) makes the next incremental
 * run full.
 */
public record RunState(Dataset<Row> log, Dataset<Row> attributedClickIds) {

    public static final String DIR = "_state";
    static final String LOG = "log";
    static final String ATTRIBUTED = "attributed_clicks";
    /** The columns of {@link #LOG} whose values are (nearly) all distinct. */
    private static final String[] UNIQUE_LOG_COLUMNS = {MasterRows.EVENT_ID, "impression_id", "user_id",
            MasterRows.EVENT_TIME, MasterRows.INGEST_TIME, MasterRows.OFFSET};

    public static Path dir(StorageLayout layout, String runId) {
        return new Path(layout.runDir(runId), DIR);
    }

    /** Whether the run kept a complete state (each part written to its end). */
    public static boolean exists(StorageLayout layout, String runId) throws IOException {
        for (String part : new String[]{LOG, ATTRIBUTED}) {
            if (!layout.fs().exists(new Path(new Path(dir(layout, runId), part), StorageLayout.SUCCESS))) {
                return false;
            }
        }
        return true;
    }

    public static RunState read(SparkSession spark, StorageLayout layout, String runId) {
        Path d = dir(layout, runId);
        return new RunState(spark.read().parquet(new Path(d, LOG).toString()),
                spark.read().parquet(new Path(d, ATTRIBUTED).toString()));
    }

    /** The ids of every valid event below H0. */
    public Dataset<Row> eventIds() {
        return log.select(col(MasterRows.EVENT_ID));
    }

    /** The deduplicated impressions below H0 in the join's layout. */
    public Dataset<Row> impressions() {
        return SparkViewPipeline.impressions(log);
    }

    /** The deduplicated clicks below H0 that no impression below H0 attributes, in the join's layout. */
    public Dataset<Row> openClicks() {
        return SparkViewPipeline.clicks(log).join(attributedClickIds, "c_id", "left_anti");
    }

    /**
     * The attributed clicks with tag ≥ {@code fromTag}, from this state and the new hours'
     * deduplicated events {@code delta} (all with tag ≥ fromTag): the new clicks and the open old
     * clicks whose impression_id has a new impression, joined with old and new impressions.
     */
    public Dataset<Row> attributeDelta(Dataset<Row> delta, long fromTag) {
        Dataset<Row> newImps = SparkViewPipeline.impressions(delta);
        Dataset<Row> candidates = SparkViewPipeline.clicks(delta).unionByName(
                openClicks().join(newImps.select("impression_id"), "impression_id", "left_semi"));
        return SparkViewPipeline.attribute(candidates, impressions().unionByName(newImps), fromTag);
    }

    /**
     * Writes the state of a run: {@code previous} (null for a full run) plus the run's deduplicated
     * events {@code deduped} and its attributed clicks {@code attributed} (with c_id).
     */
    public static void write(StorageLayout layout, String runId, RunState previous, Dataset<Row> deduped,
                             Dataset<Row> attributed) {
        Column imp = SparkViewPipeline.isType(EventType.AD_IMPRESSION);
        Column click = SparkViewPipeline.isType(EventType.AD_CLICK);
        Column joined = imp.or(click);
        Dataset<Row> log = deduped.select(col(MasterRows.EVENT_ID), col(MasterRows.TYPE),
                when(joined, col("impression_id")).as("impression_id"),
                when(joined, col(MasterRows.EVENT_TIME)).as(MasterRows.EVENT_TIME),
                when(joined, col(MasterRows.TAG)).as(MasterRows.TAG),
                when(imp, col("campaign_id")).as("campaign_id"),
                when(imp, col(MasterRows.INGEST_TIME)).as(MasterRows.INGEST_TIME),
                when(imp, col(MasterRows.PARTITION)).as(MasterRows.PARTITION),
                when(imp, col(MasterRows.OFFSET)).as(MasterRows.OFFSET),
                when(click, col("user_id")).as("user_id"));
        Dataset<Row> attributedIds = attributed.select(col("c_id"));
        if (previous != null) {
            log = previous.log().unionByName(log);
            attributedIds = previous.attributedClickIds().unionByName(attributedIds);
        }
        Path d = dir(layout, runId);
        // The state is read whole (no filter on these columns), and writing it is one of the
        // longest passes of a full run. Ids and times are (nearly) unique: a dictionary for them is
        // built, found useless and dropped again on every page, and their min/max statistics
        // (string compares per value) would prune nothing; the small columns keep both.
        DataFrameWriter<Row> logWriter = log.write().mode(SaveMode.ErrorIfExists)
                .option("parquet.size.statistics.enabled", "false");
        for (String c : UNIQUE_LOG_COLUMNS) {
            logWriter = logWriter.option("parquet.enable.dictionary#" + c, "false")
                    .option("parquet.column.statistics.enabled#" + c, "false");
        }
        logWriter.parquet(new Path(d, LOG).toString());
        attributedIds.write().mode(SaveMode.ErrorIfExists).option("parquet.enable.dictionary", "false")
                .option("parquet.column.statistics.enabled", "false")
                .option("parquet.size.statistics.enabled", "false")
                .parquet(new Path(d, ATTRIBUTED).toString());
        try {
            if (!exists(layout, runId)) {
                throw new IOException("state of run " + runId + " incomplete after writing");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
