package dev.tandem.datasets.cli;

import dev.tandem.core.event.DecodeException;
import dev.tandem.core.event.EventJson;
import dev.tandem.core.time.IngestTags;
import dev.tandem.datasets.generate.GeneratorConfig;
import dev.tandem.datasets.generate.HistoryGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The checked-in sample is exactly what its documented command generates (see sample/README.md). */
class SampleTest {

    static final Path SAMPLE = Path.of("sample/events.jsonl");

    @TempDir
    Path dir;

    @Test
    void sampleMatchesItsGeneratorCommand() throws Exception {
        GeneratorConfig cfg = new GeneratorConfig(42, 8000, 0.02, 0.01, 0.005, 0.25, 50_000, 200, 500, 4);
        long end = Instant.parse("2026-11-20T12:00:00Z").toEpochMilli();
        Path fresh = dir.resolve("events.jsonl");
        GenerateCommand.writeJsonLines(new HistoryGenerator(cfg, end - 12 * IngestTags.HOUR_MS, 12), fresh);
        assertThat(Files.readAllLines(SAMPLE)).isEqualTo(Files.readAllLines(fresh));
    }

    @Test
    void sampleEventsParseAsJsonEvents() throws Exception {
        List<String> lines = Files.readAllLines(SAMPLE);
        assertThat(lines).hasSizeBetween(2_000, 6_000);
        int parsed = 0;
        for (String line : lines) {
            int i = line.indexOf(",\"event\":");
            if (i < 0) {
                continue;
            }
            String event = line.substring(i + 9, line.contains(",\"reject_reason\"") ? line.lastIndexOf(",\"reject_reason\"") : line.length() - 1);
            try {
                EventJson.fromJson(event);
                parsed++;
            } catch (DecodeException e) {
                throw new AssertionError("line does not parse: " + line, e);
            }
        }
        assertThat(parsed).isGreaterThan(lines.size() - 10);
    }
}
