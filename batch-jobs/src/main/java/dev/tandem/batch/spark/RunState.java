package dev.tandem.batch.spark;

import dev.tandem.core.storage.StorageLayout;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;

import static org.apache.spark.sql.functions.col;

/**
 * What an incremental run needs to know about the history below the previous cutoff H0, kept by
 * every Spark run under {@code views/runs/<run_id>/_state/} so that the next incremental run reads
 * only the master hours since H0 (DESIGN invariant 8 without rescanning history):
 * <ul>
 *   <li>{@code event_ids} — the id of every valid event below H0. The batch layer dedups over
 *       <em>all</em> history (DESIGN §3: there is no dedup retention in batch; a retry may arrive
 *       any time later), and every hour below H0 precedes every new hour in log order, so a new
 *       record whose id is here is a duplicate of an already counted event, and one whose id is
 *       not here is a first copy exactly when it is first among the new hours.</li>
 *   <li>{@code impressions} — every deduplicated impression below H0 in the join's layout (id,
 *       event time, tag, campaign, log position). The attribution window is in event time, which
 *       is unbounded against ingest time for late events (a click may be archived days after its
 *       impression), so no older hour can be skipped; the join needs only these seven columns.</li>
 *   <li>{@code open_clicks} — the deduplicated clicks below H0 that no impression below H0
 *       attributes. An attributed old click keeps its impression: any new impression is later in
 *       log order, and the rule takes the first. An open click may be attributed by a new one.</li>
 * </ul>
 * These are the inputs of dedup and the join that a full run would read from the old hours; a full
 * run's facts with tag ≥ H0 are then exactly those computed from (state, new hours), so previous
 * version ⊕ delta = full. The state is written before the manifest, so a complete run always has
 * it; a run without one (another engine, an older version) makes the next incremental run full.
 */
public record RunState(Dataset<Row> eventIds, Dataset<Row> impressions, Dataset<Row> openClicks) {

    public static final String DIR = "_state";
    static final String EVENT_IDS = "event_ids";
    static final String IMPRESSIONS = "impressions";
    static final String OPEN_CLICKS = "open_clicks";

    public static Path dir(StorageLayout layout, String runId) {
        return new Path(layout.runDir(runId), DIR);
    }

    /** Whether the run kept a complete state (each part written to its end). */
    public static boolean exists(StorageLayout layout, String runId) throws IOException {
        for (String part : new String[]{EVENT_IDS, IMPRESSIONS, OPEN_CLICKS}) {
            if (!layout.fs().exists(new Path(new Path(dir(layout, runId), part), StorageLayout.SUCCESS))) {
                return false;
            }
        }
        return true;
    }

    public static RunState read(SparkSession spark, StorageLayout layout, String runId) {
        Path d = dir(layout, runId);
        return new RunState(spark.read().parquet(new Path(d, EVENT_IDS).toString()),
                spark.read().parquet(new Path(d, IMPRESSIONS).toString()),
                spark.read().parquet(new Path(d, OPEN_CLICKS).toString()));
    }

    /**
     * The attributed clicks with tag ≥ {@code fromTag}, from this state and the new hours'
     * deduplicated events {@code delta} (all with tag ≥ fromTag): the new clicks and the open old
     * clicks whose impression_id has a new impression, joined with old and new impressions.
     */
    public Dataset<Row> attributeDelta(Dataset<Row> delta, long fromTag) {
        Dataset<Row> newImps = SparkViewPipeline.impressions(delta);
        Dataset<Row> candidates = SparkViewPipeline.clicks(delta).unionByName(
                openClicks.join(newImps.select("impression_id"), "impression_id", "left_semi"));
        return SparkViewPipeline.attribute(candidates, impressions.unionByName(newImps), fromTag);
    }

    /**
     * Writes the state of a run: {@code previous} (null for a full run) plus the run's deduplicated
     * events {@code deduped} and its attributed clicks {@code attributed} (with c_id).
     */
    public static void write(StorageLayout layout, String runId, RunState previous, Dataset<Row> deduped,
                             Dataset<Row> attributed) {
        Dataset<Row> ids = deduped.select(col(MasterRows.EVENT_ID));
        Dataset<Row> imps = SparkViewPipeline.impressions(deduped);
        Dataset<Row> clicks = SparkViewPipeline.clicks(deduped);
        if (previous != null) {
            ids = previous.eventIds().unionByName(ids);
            imps = previous.impressions().unionByName(imps);
            clicks = previous.openClicks().unionByName(clicks);
        }
        Dataset<Row> open = clicks.join(attributed.select(col("c_id")), "c_id", "left_anti");
        Path d = dir(layout, runId);
        // ids are unique: a dictionary for them is built, found useless and dropped, for every page
        ids.write().mode(SaveMode.ErrorIfExists).option("parquet.enable.dictionary", "false")
                .parquet(new Path(d, EVENT_IDS).toString());
        imps.write().mode(SaveMode.ErrorIfExists).option("parquet.enable.dictionary#impression_id", "false")
                .parquet(new Path(d, IMPRESSIONS).toString());
        open.write().mode(SaveMode.ErrorIfExists).parquet(new Path(d, OPEN_CLICKS).toString());
        try {
            if (!exists(layout, runId)) {
                throw new IOException("state of run " + runId + " incomplete after writing");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
