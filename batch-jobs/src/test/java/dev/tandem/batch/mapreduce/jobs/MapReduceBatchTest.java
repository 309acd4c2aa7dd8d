package dev.tandem.batch.mapreduce.jobs;

import dev.tandem.batch.mapreduce.MapReduceConfig;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.reference.Evaluation;
import dev.tandem.core.reference.ReferenceEvaluator;
import dev.tandem.core.storage.RunManifest;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.testkit.RandomLogs;
import dev.tandem.core.testkit.TestEvents;
import dev.tandem.core.testkit.ViewAssertions;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.BatchViewSchema;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewKey;
import dev.tandem.core.view.Views;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The three views on the MapReduce engine against core's reference evaluator, on random logs. */
class MapReduceBatchTest {

    static final long START = TestEvents.t("2026-11-20T00:00:00Z");

    @TempDir
    java.nio.file.Path tmp;

    MapReduceConfig config() {
        return MapReduceConfig.defaults(tmp.resolve("local")).withMapSlots(2).withReduceSlots(2).withReduceTasks(3)
                .withSortBufferBytes(16 << 10).withMergeFactor(4).withProgressInterval(Duration.ofSeconds(2));
    }

    static Map<ViewKey, Aggregate> readView(StorageLayout layout, String runId, ViewDefinition view) throws IOException {
        Map<ViewKey, Aggregate> rows = new TreeMap<>();
        for (FileStatus st : layout.fs().listStatus(layout.viewDir(runId, view.name()))) {
            if (!st.getPath().getName().endsWith(".parquet")) {
                continue;
            }
            try (ParquetReader<GenericRecord> r = AvroParquetReader.<GenericRecord>builder(
                    HadoopInputFile.fromPath(st.getPath(), layout.fs().getConf())).withDataModel(GenericData.get()).build()) {
                for (GenericRecord rec = r.read(); rec != null; rec = r.read()) {
                    Aggregate prev = rows.put(BatchViewSchema.keyOf(view, rec), BatchViewSchema.aggregateOf(view, rec));
                    assertThat(prev).as("row %s written twice", BatchViewSchema.keyOf(view, rec)).isNull();
                }
            }
        }
        return rows;
    }

    @Test
    void viewsEqualTheReferenceEvaluatorAndThePublishedRunIsServable() throws IOException {
        List<IngestedEvent> log = RandomLogs.generate(11, 2_000, START);
        StorageLayout layout = StorageLayout.at(tmp.resolve("data").toString());
        List<Long> hours = MasterFixture.write(layout, log, 2, 8 << 10, true);
        long cutoff = hours.get(hours.size() - 1) + IngestTags.HOUR_MS;
        Evaluation expected = ReferenceEvaluator.evaluate(log);

        String runId = MapReduceBatch.run(layout, config());

        assertThat(layout.readCurrent()).contains(runId);
        RunManifest m = layout.readManifest(runId);
        assertThat(m.engine()).isEqualTo("mapreduce");
        assertThat(m.cutoffMillis()).isEqualTo(cutoff);
        assertThat(m.inputs().get("valid")).isEqualTo(expected.valid());
        assertThat(m.inputs().get("duplicates")).isEqualTo(expected.duplicates());
        assertThat(m.inputs().get("attributed_clicks")).isEqualTo(expected.attributedClicks());
        assertThat(m.inputs().get("rejected")).isPositive();
        assertThat(expected.attributedClicks()).isPositive();
        assertThat(expected.duplicates()).isPositive();
        for (ViewDefinition v : Views.ALL) {
            Map<ViewKey, Aggregate> want = expected.view(v).batch(cutoff);
            Map<ViewKey, Aggregate> got = readView(layout, runId, v);
            assertThat(want).as(v.name()).isNotEmpty();
            ViewAssertions.assertSameRows(v.name(), want, got);
            assertThat(m.rowCounts().get(v.name())).isEqualTo(want.size());
        }
        assertThat(layout.fs().exists(new Path(layout.runDir(runId), "_SUCCESS"))).isTrue();
        assertThat(layout.fs().exists(new Path(layout.runDir(runId), "_temporary"))).isFalse();
    }

    @Test
    void aRunCoversExactlyTheCompleteHoursBelowTheCutoff() throws IOException {
        List<IngestedEvent> log = RandomLogs.generate(5, 1_000, START);
        StorageLayout layout = StorageLayout.at(tmp.resolve("data").toString());
        List<Long> hours = MasterFixture.write(layout, log, 1, 1 << 20, false); // last hour not complete
        long cutoff = hours.get(hours.size() - 1);
        Evaluation expected = ReferenceEvaluator.evaluate(log);

        String runId = MapReduceBatch.run(layout, config().withMapSlots(1).withSortBufferBytes(4096));

        assertThat(layout.readManifest(runId).cutoffMillis()).isEqualTo(cutoff);
        for (ViewDefinition v : Views.ALL) {
            ViewAssertions.assertSameRows(v.name(), expected.view(v).batch(cutoff), readView(layout, runId, v));
        }
        // and the cutoff mattered: the incomplete hour holds valid events the run left out
        assertThat(log).anyMatch(ie -> ie.tag() >= cutoff
                && dev.tandem.core.validation.EventValidator.validate(ie.event(), ie.ingestTime()) == null);
    }

    @Test
    void wordCountOverSearchQueriesEqualsTermsCountedInMemory() throws IOException {
        List<IngestedEvent> log = RandomLogs.generate(21, 600, START);
        StorageLayout layout = StorageLayout.at(tmp.resolve("data").toString());
        List<Long> hours = MasterFixture.write(layout, log, 1, 1 << 20, true);
        List<Path> files = new java.util.ArrayList<>();
        for (long h : hours) {
            files.addAll(layout.masterHourFiles(h));
        }
        Map<String, Long> want = new TreeMap<>();
        for (IngestedEvent ie : log) {
            if (MasterRows.representable(ie.event()) && ie.event().eventType() == dev.tandem.core.event.EventType.SEARCH
                    && ie.event().query() != null) {
                dev.tandem.core.view.Terms.tokenize(ie.event().query()).forEach(t -> want.merge(t, 1L, Long::sum));
            }
        }
        Path out = new Path(tmp.resolve("wc").toUri());
        new dev.tandem.batch.mapreduce.JobRunner(config()).run(WordCount.overQueries(files, out, layout.fs().getConf()).build());

        Map<String, Long> got = new TreeMap<>();
        try (var s = java.nio.file.Files.list(tmp.resolve("wc"))) {
            for (java.nio.file.Path p : s.filter(x -> x.getFileName().toString().startsWith("part-")).toList()) {
                for (String line : java.nio.file.Files.readAllLines(p)) {
                    String[] kv = line.split("\t");
                    assertThat(got.put(kv[0], Long.parseLong(kv[1]))).isNull();
                }
            }
        }
        assertThat(want).containsKeys("red", "shoes", "été");
        assertThat(got).isEqualTo(want);
    }

    @Test
    void refusesToRunWithoutACompleteHour() {
        StorageLayout layout = StorageLayout.at(tmp.resolve("empty").toString());
        assertThatThrownBy(() -> MapReduceBatch.run(layout, config()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no complete master hour");
    }
}
