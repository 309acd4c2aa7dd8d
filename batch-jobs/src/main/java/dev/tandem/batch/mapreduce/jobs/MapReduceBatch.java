package dev.tandem.batch.mapreduce.jobs;

import dev.tandem.batch.mapreduce.Counters;
import dev.tandem.batch.mapreduce.JobResult;
import dev.tandem.batch.mapreduce.JobRunner;
import dev.tandem.batch.mapreduce.MapReduceConfig;
import dev.tandem.core.storage.RunIds;
import dev.tandem.core.storage.RunManifest;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.Views;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;

/**
 * The batch layer on the MapReduce engine: a full recompute of every view from the master dataset
 * below the current cutoff H, written as a new run under {@code views/runs/<run_id>/} (core's
 * batch-view Parquet layout plus {@code _MANIFEST.json}, engine {@code mapreduce}) and published
 * by replacing {@code CURRENT}. The serving layer serves it exactly like a Spark run.
 */
public final class MapReduceBatch {

    private static final Logger LOG = LoggerFactory.getLogger(MapReduceBatch.class);
    public static final String ENGINE = "mapreduce";

    private MapReduceBatch() {
    }

    /** Recomputes, publishes and returns the new run id. */
    public static String run(StorageLayout layout, MapReduceConfig cfg) throws IOException {
        String runId = compute(layout, cfg).manifest().runId();
        layout.publish(runId);
        LOG.info("published run {}", runId);
        return runId;
    }

    /** A computed run: its manifest and the counters of its three jobs (dedup, attribution, views). */
    public record Result(RunManifest manifest, List<JobResult> jobs) {
        public long spilledBytes() {
            return jobs.stream().mapToLong(j -> j.counters().get(Counters.SPILLED_BYTES)).sum();
        }
    }

    /** Recomputes into a new complete (manifested) run without publishing it. */
    public static Result compute(StorageLayout layout, MapReduceConfig cfg) throws IOException {
        long t0 = System.currentTimeMillis();
        long cutoff = layout.cutoff().orElseThrow(() ->
                new IllegalStateException("no complete master hour under " + layout.masterEventsDir() + "; nothing to batch"));
        SortedSet<Long> hours = layout.completeHours().headSet(cutoff);
        List<Path> files = new ArrayList<>();
        for (long h : hours) {
            files.addAll(layout.masterHourFiles(h));
        }
        String runId = RunIds.newRunId(ENGINE, Instant.now(), new SecureRandom().nextLong());
        Configuration conf = layout.fs().getConf();
        java.nio.file.Path work = cfg.localDir().resolve("batch-" + runId);
        Files.createDirectories(work);
        Path deduped = new Path(work.resolve("dedup").toUri());
        Path attributed = new Path(work.resolve("attributed").toUri());
        Path runDir = layout.runDir(runId);
        LOG.info("mapreduce batch {}: {} master hours below cutoff {} ({} files)", runId, hours.size(),
                Instant.ofEpochMilli(cutoff), files.size());
        JobRunner runner = new JobRunner(cfg);
        try {
            JobResult dedup = runner.run(ViewJobs.dedup(files, cutoff, deduped, conf));
            JobResult join = runner.run(ViewJobs.attribution(deduped, attributed, conf));
            JobResult views = runner.run(ViewJobs.views(deduped, attributed, runDir, conf));

            FileSystem fs = layout.fs();
            Map<String, Long> rows = new LinkedHashMap<>();
            for (ViewDefinition v : Views.ALL) {
                fs.mkdirs(layout.viewDir(runId, v.name())); // a view with no rows still has its directory
                rows.put(v.name(), views.counters().get(ViewJobs.ROWS_PREFIX + v.name()));
            }
            Map<String, Long> inputs = new LinkedHashMap<>();
            Counters dc = dedup.counters();
            inputs.put("records", dc.get(Counters.MAP_INPUT_RECORDS));
            inputs.put("valid", dc.get(Counters.REDUCE_OUTPUT_RECORDS));
            // valid copies in minus first copies out (the combiner drops some copies map-side already)
            inputs.put("duplicates", dc.get(Counters.MAP_OUTPUT_RECORDS) - dc.get(Counters.REDUCE_OUTPUT_RECORDS));
            inputs.put("attributed_clicks", join.counters().get(Counters.REDUCE_OUTPUT_RECORDS));
            inputs.put("beyond_cutoff", dc.get(ViewJobs.BEYOND_CUTOFF));
            inputs.put("master_files", (long) files.size());
            long rejected = 0;
            for (Map.Entry<String, Long> e : dc.snapshot().entrySet()) {
                if (e.getKey().startsWith(ViewJobs.REJECTED_PREFIX)) {
                    inputs.put(e.getKey(), e.getValue());
                    rejected += e.getValue();
                }
            }
            inputs.put("rejected", rejected);
            Map<String, Long> timings = new LinkedHashMap<>();
            timings.put("dedup", dedup.counters().get(Counters.TOTAL_MS));
            timings.put("attribution", join.counters().get(Counters.TOTAL_MS));
            timings.put("views", views.counters().get(Counters.TOTAL_MS));
            timings.put("total", System.currentTimeMillis() - t0);
            RunManifest m = new RunManifest(runId, ENGINE, "full", Instant.ofEpochMilli(cutoff).toString(),
                    hours.isEmpty() ? null : Instant.ofEpochMilli(hours.first()).toString(), null,
                    inputs, rows, timings, Instant.now().toString());
            layout.writeManifest(m);
            LOG.info("mapreduce batch {} complete: {} rows, inputs {}", runId, rows, inputs);
            return new Result(m, List.of(dedup, join, views));
        } finally {
            deleteQuietly(work);
        }
    }

    private static void deleteQuietly(java.nio.file.Path dir) {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
        }
    }
}
