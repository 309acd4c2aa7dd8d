package dev.tandem.core.storage;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code views/runs/<run_id>/_MANIFEST.json}: what a batch run computed and from what.
 *
 * @param runId       the run directory's name
 * @param engine      {@code spark}, {@code mapreduce}, …
 * @param mode        {@code full}, {@code incremental}, {@code backfill}
 * @param cutoff      H: the run covers exactly the records with ingest tag &lt; H (ISO-8601 UTC)
 * @param firstHour   the oldest master hour read (ISO-8601 UTC), null when none
 * @param previousRun the version an incremental run started from, else null
 * @param inputs      input counts (records read, valid, duplicates, …)
 * @param rowCounts   view name → rows written
 * @param timingsMs   stage → milliseconds
 * @param createdAt   when the run finished writing (ISO-8601 UTC)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunManifest(
        @JsonProperty("run_id") String runId,
        @JsonProperty("engine") String engine,
        @JsonProperty("mode") String mode,
        @JsonProperty("cutoff") String cutoff,
        @JsonProperty("first_hour") String firstHour,
        @JsonProperty("previous_run") String previousRun,
        @JsonProperty("inputs") Map<String, Long> inputs,
        @JsonProperty("row_counts") Map<String, Long> rowCounts,
        @JsonProperty("timings_ms") Map<String, Long> timingsMs,
        @JsonProperty("created_at") String createdAt) {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public RunManifest {
        inputs = inputs == null ? Map.of() : new TreeMap<>(inputs);
        rowCounts = rowCounts == null ? Map.of() : new TreeMap<>(rowCounts);
        timingsMs = timingsMs == null ? Map.of() : new TreeMap<>(timingsMs);
    }

    public long cutoffMillis() {
        return Instant.parse(cutoff).toEpochMilli();
    }

    public byte[] toJson() {
        try {
            return MAPPER.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RunManifest fromJson(byte[] json) {
        try {
            return MAPPER.readValue(json, RunManifest.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a run manifest: " + e.getMessage(), e);
        }
    }
}
