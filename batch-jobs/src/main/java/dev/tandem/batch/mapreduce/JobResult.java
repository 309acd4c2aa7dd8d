package dev.tandem.batch.mapreduce;

import org.apache.hadoop.fs.Path;

/** A committed job: its id, output directory and counters (successful attempts only). */
public record JobResult(String jobId, Path outputDir, Counters counters) {
}
