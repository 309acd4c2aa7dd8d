package dev.tandem.datasets;

import dev.tandem.core.event.EventCodec;
import dev.tandem.core.event.EventSchemas;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.event.LogRecord;
import dev.tandem.core.reference.ReferenceEvaluator;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.validation.Checked;
import dev.tandem.core.view.Views;
import dev.tandem.datasets.generate.GenerateJob;
import dev.tandem.datasets.generate.GenerateSummary;
import dev.tandem.datasets.generate.GeneratorConfig;
import dev.tandem.datasets.generate.HistoryGenerator;
import dev.tandem.datasets.parquet.MasterDatasetReader;
import dev.tandem.datasets.parquet.MasterDatasetWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static dev.tandem.core.testkit.TestEvents.t;
import static dev.tandem.core.testkit.ViewAssertions.assertSameRows;
import static org.assertj.core.api.Assertions.assertThat;

class MasterDatasetWriterTest {

    private static final long START = t("2026-11-20T00:00:00Z");
    private final Configuration conf = new Configuration();

    @TempDir
    java.nio.file.Path dir;

    @Test
    void writesEveryHourWithSuccessAndReadsBackWithTheV2Schema() throws Exception {
        GeneratorConfig cfg = GeneratorConfig.defaults(5, 30_000).withRates(0.01, 0.005, 0.01);
        List<LogRecord> log = new HistoryGenerator(cfg, START, 30).generateAll();
        StorageLayout layout = StorageLayout.at(dir.resolve("a").toString(), conf);
        GenerateSummary s = GenerateJob.run(new HistoryGenerator(cfg, START, 30), new MasterDatasetWriter(layout, conf));

        assertThat(layout.completeHours()).hasSize(30);
        assertThat(layout.cutoff()).contains(START + 30 * IngestTags.HOUR_MS);
        assertThat(s.records()).isEqualTo(log.size());
        assertThat(s.valid() + s.quarantined()).isEqualTo(s.records());

        // master rows = every valid record with its log position, v1 ones read as USD
        List<IngestedEvent> expected = new ArrayList<>();
        long bad = 0;
        for (LogRecord r : log) {
            Checked c = EventCodec.get().check(r.value(), r.ingestTime());
            if (c.isValid()) {
                expected.add(new IngestedEvent(c.event(), r.ingestTime(), r.partition(), r.offset()));
            } else {
                bad++;
            }
        }
        List<IngestedEvent> read = new MasterDatasetReader(layout, conf).readAll();
        assertThat(read).containsExactlyElementsOf(expected);
        assertThat(s.quarantined()).isEqualTo(bad).isPositive();

        // reading with the v2 Event schema as the requested projection works on the files as written
        Configuration projection = new Configuration();
        AvroReadSupport.setRequestedProjection(projection, EventSchemas.MASTER_EVENT);
        long rows = 0;
        for (long h : layout.completeHours()) {
            for (Path f : layout.masterHourFiles(h)) {
                try (ParquetReader<GenericRecord> r = AvroParquetReader.<GenericRecord>builder(HadoopInputFile.fromPath(f, projection))
                        .withConf(projection).build()) {
                    GenericRecord g;
                    while ((g = r.read()) != null) {
                        assertThat(g.get("currency")).isNotNull();
                        rows++;
                    }
                }
            }
        }
        assertThat(rows).isEqualTo(expected.size());

        // the reference evaluator gives the same views from the log and from the master dataset
        assertSameRows("campaign_hourly", ReferenceEvaluator.evaluateLog(log).view(Views.CAMPAIGN_HOURLY).total(),
                ReferenceEvaluator.evaluate(read).view(Views.CAMPAIGN_HOURLY).total());
    }

    @Test
    void quarantineKeepsRawBytesAndReasons() throws Exception {
        GeneratorConfig cfg = GeneratorConfig.defaults(9, 20_000).withRates(0, 0, 0.05);
        StorageLayout layout = StorageLayout.at(dir.toString(), conf);
        GenerateJob.run(new HistoryGenerator(cfg, START, 6), new MasterDatasetWriter(layout, conf));
        long rows = 0;
        for (long h = START; h < START + 6 * IngestTags.HOUR_MS; h += IngestTags.HOUR_MS) {
            Path f = new Path(layout.quarantineHourDir(h), MasterDatasetWriter.PART_FILE);
            try (ParquetReader<GenericRecord> r = AvroParquetReader.<GenericRecord>builder(HadoopInputFile.fromPath(f, conf))
                    .withConf(conf).build()) {
                GenericRecord g;
                while ((g = r.read()) != null) {
                    java.nio.ByteBuffer raw = (java.nio.ByteBuffer) g.get("raw");
                    byte[] bytes = new byte[raw.remaining()];
                    raw.get(bytes);
                    Checked again = EventCodec.get().check(bytes, (Long) g.get("ingest_time"));
                    assertThat(again.isValid()).isFalse();
                    assertThat(again.rejection().code()).isEqualTo(g.get("reason").toString());
                    rows++;
                }
            }
        }
        // 6 hours of a 20k/day rhythm at 5 % bad: a few hundred
        assertThat(rows).isBetween(100L, 500L);
    }

    @Test
    void emptyHoursAreCompleteAndRewritingIsANoOp() throws Exception {
        StorageLayout layout = StorageLayout.at(dir.toString(), conf);
        MasterDatasetWriter w = new MasterDatasetWriter(layout, conf);
        MasterDatasetWriter.HourCounts first = w.writeHour(START, List.of());
        assertThat(first.skipped()).isFalse();
        assertThat(layout.isHourComplete(START)).isTrue();
        long modified = Files.getLastModifiedTime(dir.resolve("master/events/ingest_hour=2026-11-20T00/part-00000.parquet")).toMillis();
        assertThat(w.writeHour(START, List.of()).skipped()).isTrue();
        assertThat(Files.getLastModifiedTime(dir.resolve("master/events/ingest_hour=2026-11-20T00/part-00000.parquet")).toMillis())
                .isEqualTo(modified);
    }

    @Test
    void sameSeedWritesByteIdenticalFiles() throws Exception {
        GeneratorConfig cfg = GeneratorConfig.defaults(7, 10_000);
        for (String r : List.of("x", "y")) {
            StorageLayout l = StorageLayout.at(dir.resolve(r).toString(), conf);
            GenerateJob.run(new HistoryGenerator(cfg, START, 3), new MasterDatasetWriter(l, conf));
        }
        for (String hour : List.of("2026-11-20T00", "2026-11-20T01", "2026-11-20T02")) {
            java.nio.file.Path rel = java.nio.file.Path.of("master/events/ingest_hour=" + hour, MasterDatasetWriter.PART_FILE);
            assertThat(Files.readAllBytes(dir.resolve("x").resolve(rel))).isEqualTo(Files.readAllBytes(dir.resolve("y").resolve(rel)));
        }
    }

    @Test
    void aRunWithoutBadRecordsSummarisesToo() throws Exception {
        GeneratorConfig clean = GeneratorConfig.defaults(12, 5_000).withRates(0, 0, 0);
        GenerateSummary s = GenerateJob.run(new HistoryGenerator(clean, START, 2),
                new MasterDatasetWriter(StorageLayout.at(dir.toString(), conf), conf));
        assertThat(s.quarantined()).isZero();
        assertThat(s.badByReason()).isEmpty();
        assertThat(s.render()).contains("bad         0 (quarantine)");
    }
}
