package dev.tandem.batch.spark;

import dev.tandem.batch.Stages;
import dev.tandem.core.event.EventType;
import dev.tandem.core.storage.RunIds;
import dev.tandem.core.storage.RunManifest;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.validation.RejectReason;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.Views;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.tandem.batch.spark.MasterRows.REJECT;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

/**
 * A batch run on Spark: read the complete master hours below the cutoff H, compute the views
 * ({@link SparkViewPipeline}), write them under {@code views/runs/<run_id>/<view>/}, write
 * {@code _MANIFEST.json}, then publish by replacing {@code CURRENT} (DESIGN §5).
 *
 * <p>Crash safety: nothing outside the new run's directory changes before the manifest exists, and
 * {@link StorageLayout#publish} refuses runs without one. A run killed at any point before the
 * final atomic replace leaves {@code CURRENT} and every published row as they were; the
 * abandoned directory is never read and can be pruned.
 *
 * <p>Modes: {@code full} computes every fact below H. {@code incremental} starts from the
 * published version (cutoff H0) and adds the facts with tag in [H0, H), reading only the master
 * hours in [H0, H) and the previous run's {@link RunState} — see there for why that equals a full
 * run. When there is no published version, the published one covers different history (older hours
 * were added) or kept no state, it falls back to full.
 */
public final class SparkRecomputeJob {

    public enum Mode {
        FULL, INCREMENTAL;

        public String label() {
            return name().toLowerCase();
        }
    }

    /** Test seams between the steps that matter for atomicity. */
    public interface Hooks {
        Hooks NONE = new Hooks() {
        };

        /** After every view is written, before the manifest. */
        default void afterViewsWritten(String runId) {
        }

        /** After the manifest, before CURRENT is replaced. */
        default void beforePublish(String runId) {
        }
    }

    /** What a run did: the run id it wrote (or the published one when already up to date). */
    public record Outcome(String runId, boolean published, RunManifest manifest, String note) {
    }

    private final SparkSession spark;
    private final StorageLayout layout;
    private final Clock clock;
    private final Hooks hooks;
    private final int partitions;
    private boolean keepState = true;

    public SparkRecomputeJob(SparkSession spark, StorageLayout layout, Clock clock, Hooks hooks) {
        this.spark = spark;
        this.layout = layout;
        this.clock = clock;
        this.hooks = hooks;
        this.partitions = Integer.parseInt(spark.conf().get("spark.sql.shuffle.partitions", "200"));
    }

    public SparkRecomputeJob(SparkSession spark, StorageLayout layout) {
        this(spark, layout, Clock.systemUTC(), Hooks.NONE);
    }

    /**
     * Runs of this job keep no {@link RunState}: they save the pass that writes one row per unique
     * event, and the next incremental run after one of them recomputes in full. For deployments that
     * only ever run full recomputes (and for comparing the views' cost alone).
     */
    public SparkRecomputeJob withoutState() {
        keepState = false;
        return this;
    }

    public Outcome run(Mode requested) throws IOException {
        return run(requested, requested.label(), Map.of());
    }

    /**
     * Backfill after the master hours in [{@code fromHour}, {@code toHour}) were repaired or
     * re-imported: a full recompute, published. Full because a repaired hour can change dedup and
     * attribution of every later hour, and a published version cannot be un-merged; idempotent
     * because a full run is a function of the master dataset.
     *
     * @throws IllegalArgumentException when an hour of the range is not complete or not below the cutoff
     */
    public Outcome backfill(long fromHour, long toHour) throws IOException {
        checkBackfillRange(layout, fromHour, toHour);
        return run(Mode.FULL, "backfill", Map.of("backfill_from_ms", fromHour, "backfill_to_ms", toHour));
    }

    /**
     * A backfill range must be whole hours, each complete and below the cutoff (engine-neutral).
     *
     * @throws IllegalArgumentException otherwise, naming the first bad hour
     */
    public static void checkBackfillRange(StorageLayout layout, long fromHour, long toHour) throws IOException {
        if (!IngestTags.isHourStart(fromHour) || !IngestTags.isHourStart(toHour) || toHour <= fromHour) {
            throw new IllegalArgumentException("backfill range must be whole hours with from < to");
        }
        Optional<Long> cutoff = layout.cutoff();
        SortedSet<Long> complete = layout.completeHours();
        for (long h = fromHour; h < toHour; h += IngestTags.HOUR_MS) {
            if (!complete.contains(h) || cutoff.isEmpty() || h >= cutoff.get()) {
                throw new IllegalArgumentException("master hour " + IngestTags.hourLabel(h)
                        + " of the backfill range is not complete below the cutoff"
                        + cutoff.map(c -> " " + IngestTags.hourLabel(c)).orElse("") + "; repair or archive it first");
            }
        }
    }

    /**
     * @param label the manifest's mode ({@code full}, {@code incremental}, {@code backfill})
     * @param extraInputs recorded in the manifest's inputs
     */
    public Outcome run(Mode requested, String label, Map<String, Long> extraInputs) throws IOException {
        SortedSet<Long> complete = layout.completeHours();
        Optional<Long> cutoff = layout.cutoff();
        if (cutoff.isEmpty()) {
            throw new IllegalStateException("no complete master hour under " + layout.root() + " (nothing to batch)");
        }
        long h = cutoff.get();
        SortedSet<Long> hours = complete.headSet(h);
        long firstHour = hours.first();

        Mode mode = requested;
        RunManifest previous = null;
        if (requested == Mode.INCREMENTAL) {
            Optional<String> current = layout.readCurrent();
            if (current.isEmpty()) {
                mode = Mode.FULL;
                label = Mode.FULL.label();
            } else {
                previous = layout.readManifest(current.get());
                long h0 = previous.cutoffMillis();
                if (h0 == h) {
                    return new Outcome(current.get(), false, previous,
                            "published run " + current.get() + " already covers cutoff " + Instant.ofEpochMilli(h));
                }
                if (h0 > h || previous.firstHour() == null
                        || Instant.parse(previous.firstHour()).toEpochMilli() != firstHour
                        || !RunState.exists(layout, previous.runId())) {
                    // the master dataset no longer matches the published run's history, or that run
                    // kept no state (another engine, an older version): recompute
                    mode = Mode.FULL;
                    label = Mode.FULL.label();
                    previous = null;
                }
            }
        }

        String runId = RunIds.newRunId("spark", clock.instant(), new SecureRandom().nextLong());
        Stages stages = new Stages(runId);
        stages.info("{} batch: {} master hours [{}, {}), root {}", label, hours.size(),
                Instant.ofEpochMilli(firstHour), Instant.ofEpochMilli(h), layout.root());
        // bucket_start and every timestamp we write: Parquet TIMESTAMP_MILLIS, as BatchViewSchema says
        spark.conf().set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MILLIS");

        long fromTag = previous == null ? Long.MIN_VALUE : previous.cutoffMillis();
        SparkViewPipeline pipeline = new SparkViewPipeline(spark, partitions);
        Map<String, Long> inputs = new LinkedHashMap<>();
        inputs.put("hours", (long) hours.size());
        inputs.putAll(extraInputs);
        // incremental: only the hours since the previous cutoff; the earlier history is in its state
        SortedSet<Long> readHours = previous == null ? hours : hours.tailSet(fromTag);
        inputs.put("hours_read", (long) readHours.size());
        RunState prevState = previous == null ? null : RunState.read(spark, layout, previous.runId());

        Dataset<Row> master;
        try {
            master = SparkMasterReader.read(spark, layout, readHours);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // the cached log is scanned a few times and dropped at the end: compressing it costs more
        // (dictionary statistics of every string column) than the memory it saves here
        spark.conf().set("spark.sql.inMemoryColumnarStorage.compressed", "false");
        // the sketch metrics aggregate as objects; past this many keys per task Spark would sort every
        // remaining input row instead (the default, 128, is far below one view's keys)
        spark.conf().set("spark.sql.objectHashAggregate.sortBased.fallbackThreshold", "1000000");
        // the master rows are validated once, on the way into the cache: the cached log rows carry
        // their reject reason (null when valid) and the columns every later pass derives (event
        // time in millis, ingest tag, type code), so no pass re-derives them. ad_id, order_id and
        // the type name matter to validation only.
        Dataset<Row> cachedLog = pipeline.validate(master).drop("ad_id", "order_id", MasterRows.EVENT_TYPE)
                .persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> valid = cachedLog.filter(col(REJECT).isNull()).drop(REJECT);
        long[] validClicks = {0};
        boolean[] positionsPack = {true};
        Dataset<Row> laterCopies = null;
        Dataset<Row> deduped = null;
        Dataset<Row> attributed = null;
        JavaPairRDD<ViewRowKey, AggregateBox> rows = null;
        Dataset<Row> viewAggregate = null;
        try {
            // one scan of the master files: every row validated and cached; counted by reason and
            // type, with the bounds of the log positions
            stages.time("read_validate", () -> {
                long records = 0;
                long rejected = 0;
                long clicks = 0;
                long minPartition = Long.MAX_VALUE;
                long maxPartition = Long.MIN_VALUE;
                long minOffset = Long.MAX_VALUE;
                long maxOffset = Long.MIN_VALUE;
                Map<String, Long> byReason = new TreeMap<>();
                for (Row r : cachedLog.groupBy(col(REJECT), col(MasterRows.TYPE))
                        .agg(count(lit(1)), min(MasterRows.PARTITION), max(MasterRows.PARTITION),
                                min(MasterRows.OFFSET), max(MasterRows.OFFSET)).collectAsList()) {
                    long n = r.getLong(2);
                    records += n;
                    if (!r.isNullAt(3) && !r.isNullAt(5)) {
                        minPartition = Math.min(minPartition, r.getInt(3));
                        maxPartition = Math.max(maxPartition, r.getInt(4));
                        minOffset = Math.min(minOffset, r.getLong(5));
                        maxOffset = Math.max(maxOffset, r.getLong(6));
                    }
                    if (!r.isNullAt(0)) {
                        rejected += n;
                        byReason.merge("rejected." + RejectReason.ofCode(r.getString(0)).code(), n, Long::sum);
                    } else if (!r.isNullAt(1) && r.getInt(1) == EventType.AD_CLICK.ordinal()) {
                        clicks += n;
                    }
                }
                validClicks[0] = clicks;
                inputs.putAll(byReason);
                positionsPack[0] = SparkViewPipeline.positionsPack(minPartition, maxPartition, minOffset, maxOffset);
                inputs.put("records", records);
                inputs.put("rejected", rejected);
                inputs.put("valid", records - rejected);
                return records;
            });
            Dataset<Row> later = stages.time("dedup", () -> SparkViewPipeline.laterCopies(valid));
            laterCopies = later;
            long laterCount = later.count();
            // valid first copies: the valid rows less the later copies
            Dataset<Row> firstCopies = SparkViewPipeline.withoutPositions(valid, later, laterCount, positionsPack[0]);
            if (prevState != null) {
                // an event whose id was seen below H0 had its first copy there: every earlier hour
                // precedes every new one in log order
                firstCopies = firstCopies.join(prevState.eventIds(), MasterRows.EVENT_ID, "left_anti")
                        .persist(StorageLevel.MEMORY_AND_DISK());
            }
            Dataset<Row> dd = firstCopies;
            deduped = dd;
            stages.time("dedup", () -> {
                // a full run drops exactly the later copies, one valid row each: no pass to count
                long unique = prevState == null ? inputs.get("valid") - laterCount : dd.count();
                inputs.put("unique_events", unique);
                inputs.put("duplicates", inputs.get("valid") - unique);
                return unique;
            });
            Dataset<Row> att = (prevState == null
                    ? SparkViewPipeline.attributedClicks(dd, fromTag, validClicks[0] <= SparkViewPipeline.BROADCAST_CLICKS)
                    : prevState.attributeDelta(dd, fromTag)).persist(StorageLevel.MEMORY_AND_DISK());
            attributed = att;
            boolean incremental = previous != null;
            stages.time("attribution_join", () -> {
                long n = att.count();
                inputs.put(!incremental ? "attributed_clicks" : "attributed_clicks_delta", n);
                return n;
            });

            // the views as one Spark aggregation compiled from core's definitions (SparkViewPlan)
            Dataset<Row> facts = SparkViewPlan.eventFacts(dd, fromTag).unionByName(SparkViewPlan.attributedFacts(att));
            Dataset<Row> aggregated = SparkViewPlan.aggregate(facts, Views.ALL).persist(StorageLevel.MEMORY_AND_DISK());
            viewAggregate = aggregated;
            Map<String, Long> rowCounts = new TreeMap<>();
            List<Runnable> writes = new ArrayList<>();
            if (previous == null) {
                stages.time("views", () -> {
                    for (ViewDefinition v : Views.ALL) {
                        rowCounts.put(v.name(), 0L);
                    }
                    for (Row r : aggregated.groupBy(col(SparkViewPlan.VIEW)).count().collectAsList()) {
                        rowCounts.put(Views.ALL.get(r.getInt(0)).name(), r.getLong(1));
                    }
                    return rowCounts.values().stream().mapToLong(Long::longValue).sum();
                });
                for (int i = 0; i < Views.ALL.size(); i++) {
                    int view = i;
                    writes.add(() -> SparkViewPlan.viewRows(spark, aggregated, Views.ALL, view).write()
                            .mode(SaveMode.ErrorIfExists).parquet(layout.viewDir(runId, Views.ALL.get(view).name()).toString()));
                }
            } else {
                // previous ⊕ delta through core's monoid, key by key
                JavaPairRDD<ViewRowKey, AggregateBox> delta = null;
                JavaPairRDD<ViewRowKey, AggregateBox> prev = null;
                for (int i = 0; i < Views.ALL.size(); i++) {
                    ViewDefinition v = Views.ALL.get(i);
                    JavaPairRDD<ViewRowKey, AggregateBox> d = SparkViewPipeline.storedRows(
                            SparkViewPlan.viewRows(spark, aggregated, Views.ALL, i), v);
                    JavaPairRDD<ViewRowKey, AggregateBox> p = SparkViewPipeline.storedRows(
                            spark.read().parquet(layout.viewDir(previous.runId(), v.name()).toString()), v);
                    delta = delta == null ? d : delta.union(d);
                    prev = prev == null ? p : prev.union(p);
                }
                inputs.put("previous_cutoff_ms", previous.cutoffMillis());
                JavaPairRDD<ViewRowKey, AggregateBox> merged = pipeline.mergeWith(prev, delta)
                        .persist(StorageLevel.MEMORY_AND_DISK());
                rows = merged;
                stages.time("views", () -> {
                    Map<String, Long> counts = merged.map(t -> t._1().view()).countByValue();
                    for (ViewDefinition v : Views.ALL) {
                        rowCounts.put(v.name(), counts.getOrDefault(v.name(), 0L));
                    }
                    return rowCounts.values().stream().mapToLong(Long::longValue).sum();
                });
                for (ViewDefinition v : Views.ALL) {
                    writes.add(() -> pipeline.viewRows(merged, v).write().mode(SaveMode.ErrorIfExists)
                            .parquet(layout.viewDir(runId, v.name()).toString()));
                }
            }
            if (keepState) {
                writes.add(() -> RunState.write(layout, runId, prevState, dd, att));
            }
            // the view writes are small and mostly wait on the driver, the state write is one long
            // pass: run side by side they take about as long as the state alone
            stages.time("write", () -> inParallel(writes));
            hooks.afterViewsWritten(runId);

            RunManifest manifest = new RunManifest(runId, "spark", label, Instant.ofEpochMilli(h).toString(),
                    Instant.ofEpochMilli(firstHour).toString(), previous == null ? null : previous.runId(),
                    inputs, rowCounts, stages.timings(), clock.instant().toString());
            layout.writeManifest(manifest);
            hooks.beforePublish(runId);
            stages.time("publish", () -> {
                try {
                    layout.publish(runId);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            stages.info("published {} (cutoff {}, rows {})", runId, manifest.cutoff(), rowCounts);
            return new Outcome(runId, true, manifest, null);
        } finally {
            cachedLog.unpersist();
            if (laterCopies != null) {
                laterCopies.unpersist();
            }
            if (deduped != null) {
                deduped.unpersist();
            }
            if (attributed != null) {
                attributed.unpersist();
            }
            if (rows != null) {
                rows.unpersist();
            }
            if (viewAggregate != null) {
                viewAggregate.unpersist();
            }
        }
    }

    /** Runs the tasks on their own threads (each submits its own Spark jobs); rethrows the first failure. */
    static void inParallel(List<Runnable> tasks) {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            List<Future<?>> running = new ArrayList<>();
            for (Runnable t : tasks) {
                running.add(pool.submit(t));
            }
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing", e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** All view rows of a run, for tests and verification: view → key → aggregate. */
    public static Map<String, List<Row>> readRun(SparkSession spark, StorageLayout layout, String runId) {
        Map<String, List<Row>> out = new LinkedHashMap<>();
        for (ViewDefinition v : Views.ALL) {
            out.put(v.name(), spark.read().parquet(layout.viewDir(runId, v.name()).toString()).collectAsList());
        }
        return out;
    }
}
