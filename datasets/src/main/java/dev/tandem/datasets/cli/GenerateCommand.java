package dev.tandem.datasets.cli;

import dev.tandem.core.event.EventCodec;
import dev.tandem.core.event.EventJson;
import dev.tandem.core.event.LogRecord;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.event.DecodeException;
import dev.tandem.core.event.Event;
import dev.tandem.core.validation.EventValidator;
import dev.tandem.core.validation.Rejection;
import dev.tandem.datasets.generate.GenerateJob;
import dev.tandem.datasets.generate.GenerateSummary;
import dev.tandem.datasets.generate.GeneratorConfig;
import dev.tandem.datasets.generate.HistoryGenerator;
import dev.tandem.datasets.parquet.MasterDatasetWriter;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.Callable;

/** {@code tandem generate}: deterministic history into the master dataset (or a JSON-lines file). */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generates event history into the master dataset: Parquet by ingest hour with _SUCCESS,",
                "bad records into quarantine with reasons. The same seed gives the same bytes."})
public final class GenerateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--root", description = "Storage root: a local path or a Hadoop URI (default: ${DEFAULT-VALUE}).",
            defaultValue = "data")
    String root;

    @Option(names = "--days", defaultValue = "3", description = "Days of history (default: ${DEFAULT-VALUE}).")
    int days;

    @Option(names = "--hours", description = "Hours of history instead of --days.")
    Integer hours;

    @Option(names = "--events-per-day", defaultValue = "100000", description = "Records per day (default: ${DEFAULT-VALUE}).")
    long eventsPerDay;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--end", description = {"The hour the history ends before, ISO-8601 (e.g. 2026-11-26T10:00:00Z).",
            "Default: the current hour, so the live log follows on without overlap."})
    String end;

    @Option(names = "--late-rate", defaultValue = "0.01", description = "Share of late events (default: ${DEFAULT-VALUE}).")
    double lateRate;

    @Option(names = "--duplicate-rate", defaultValue = "0.005", description = "Share of producer retries (default: ${DEFAULT-VALUE}).")
    double duplicateRate;

    @Option(names = "--bad-rate", defaultValue = "0.001", description = "Share of malformed records (default: ${DEFAULT-VALUE}).")
    double badRate;

    @Option(names = "--v1-share", defaultValue = "0.25", description = "Share of v1 producers (default: ${DEFAULT-VALUE}).")
    double v1Share;

    @Option(names = "--jsonl", description = "Write JSON lines to this file instead of the master dataset (for samples).")
    Path jsonl;

    @Override
    public Integer call() throws Exception {
        if (days < 0 || (hours != null && hours < 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--days and --hours must be ≥ 0");
        }
        long endHour;
        try {
            endHour = end == null ? IngestTags.tagOf(System.currentTimeMillis()) : Instant.parse(end).toEpochMilli();
        } catch (java.time.format.DateTimeParseException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--end is not ISO-8601: " + end);
        }
        if (!IngestTags.isHourStart(endHour)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--end must be an hour start: " + end);
        }
        int h = hours != null ? hours : days * 24;
        GeneratorConfig cfg;
        try {
            cfg = new GeneratorConfig(seed, eventsPerDay, lateRate, duplicateRate, badRate, v1Share, 50_000, 200, 500, 4);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        HistoryGenerator generator = new HistoryGenerator(cfg, endHour - h * IngestTags.HOUR_MS, h);
        if (jsonl != null) {
            writeJsonLines(generator, jsonl);
            spec.commandLine().getOut().println("wrote " + generator.stats().records() + " records to " + jsonl);
            return 0;
        }
        Configuration conf = new Configuration();
        StorageLayout layout = StorageLayout.at(root, conf);
        GenerateSummary summary = GenerateJob.run(generator, new MasterDatasetWriter(layout, conf));
        spec.commandLine().getOut().print(summary.render());
        spec.commandLine().getOut().println("  master      " + layout.masterEventsDir());
        return 0;
    }

    /**
     * One line per log record: its position, and the event as JSON when it decodes (with the
     * rejection reason when it is invalid), else the raw bytes in base64.
     */
    static void writeJsonLines(HistoryGenerator generator, Path file) throws Exception {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            generator.generate((hour, records) -> {
                for (LogRecord r : records) {
                    w.write(jsonLine(r));
                    w.newLine();
                }
            });
        }
    }

    static String jsonLine(LogRecord r) {
        StringBuilder sb = new StringBuilder("{\"ingest_time\":\"").append(Instant.ofEpochMilli(r.ingestTime()))
                .append("\",\"kafka_partition\":").append(r.partition())
                .append(",\"kafka_offset\":").append(r.offset());
        // decode once; validation then needs only the decoded event and the ingest time
        Event event = null;
        Rejection rejection;
        try {
            event = EventCodec.get().decode(r.value());
            rejection = EventValidator.validate(event, r.ingestTime());
        } catch (DecodeException e) {
            rejection = new Rejection(e.reason(), e.getMessage());
        }
        if (event != null) {
            sb.append(",\"event\":").append(EventJson.toJson(event));
        } else {
            sb.append(",\"raw_base64\":\"").append(Base64.getEncoder().encodeToString(r.value())).append('"');
        }
        if (rejection != null) {
            sb.append(",\"reject_reason\":\"").append(rejection.code()).append('"');
        }
        return sb.append('}').toString();
    }

}
