package dev.tandem.batch.bench;

import dev.tandem.batch.mapreduce.KeyValue;
import dev.tandem.batch.mapreduce.jobs.MasterFixture;
import dev.tandem.batch.mapreduce.jobs.ViewSerdes.ViewSlot;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.reference.Evaluation;
import dev.tandem.core.reference.ReferenceEvaluator;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.testkit.RandomLogs;
import dev.tandem.core.testkit.TestEvents;
import dev.tandem.core.testkit.ViewAssertions;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.Terms;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewKey;
import dev.tandem.core.view.Views;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.Job;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The comparison's Hadoop side (LocalJobRunner) computes what the reference computes: the views
 * through the engine's own functions on Hadoop equal core's reference evaluator on random logs
 * (bad records, producer retries, late events, clicks);
 * word count equals an in-memory count. And the harness refuses an output that differs.
 */
class HadoopJobsTest {

    static final long START = TestEvents.t("2026-11-20T00:00:00Z");

    @TempDir
    java.nio.file.Path tmp;

    @Test
    void viewsOnHadoopsLocalJobRunnerEqualTheReferenceEvaluator() throws Exception {
        List<IngestedEvent> log = RandomLogs.generate(13, 1_500, START);
        StorageLayout layout = StorageLayout.at(tmp.resolve("data").toString());
        List<Long> hours = MasterFixture.write(layout, log, 1, 1 << 20, true);
        long cutoff = hours.get(hours.size() - 1) + IngestTags.HOUR_MS;
        List<Path> files = new ArrayList<>();
        for (long h : hours) {
            files.addAll(layout.masterHourFiles(h));
        }
        Configuration conf = HadoopJobs.localConf(2, 1, tmp.resolve("hadoop").toString());
        Path out = new Path(tmp.resolve("views").toUri());

        List<Job> jobs = HadoopJobs.viewJobs(conf, files, cutoff, new Path(tmp.resolve("steps").toUri()), out, 3);
        Map<String, Long> counters = HadoopJobs.runAll(jobs);

        Evaluation expected = ReferenceEvaluator.evaluate(log);
        Map<String, Map<ViewKey, Aggregate>> got = new HashMap<>();
        for (KeyValue<ViewSlot, Aggregate> kv : HadoopJobs.readViews(conf, out)) {
            Aggregate prev = got.computeIfAbsent(kv.key().view(), v -> new TreeMap<>()).put(kv.key().key(), kv.value());
            assertThat(prev).as("row %s written twice", kv.key()).isNull();
        }
        for (ViewDefinition v : Views.ALL) {
            Map<ViewKey, Aggregate> want = expected.view(v).batch(cutoff);
            assertThat(want).as(v.name()).isNotEmpty();
            ViewAssertions.assertSameRows(v.name(), want, got.getOrDefault(v.name(), Map.of()));
        }
        assertThat(expected.attributedClicks()).isPositive();
        assertThat(expected.duplicates()).isPositive();
        // the attribution step's output records are the attributed clicks
        assertThat(jobs.get(1).getCounters().findCounter("org.apache.hadoop.mapreduce.TaskCounter", "REDUCE_OUTPUT_RECORDS")
                .getValue()).isEqualTo(expected.attributedClicks());
        assertThat(counters.get("SPILLED_RECORDS")).isPositive();
    }

    @Test
    void wordCountOnHadoopEqualsAnInMemoryCount() throws Exception {
        java.nio.file.Path text = tmp.resolve("text.txt");
        Files.writeString(text, "Red shoes, red DRESS\n\nblue jeans 32 red\nété robe été\n", StandardCharsets.UTF_8);
        Map<String, Long> want = new TreeMap<>();
        for (String line : Files.readAllLines(text)) {
            Terms.tokenize(line).forEach(t -> want.merge(t, 1L, Long::sum));
        }
        Configuration conf = HadoopJobs.localConf(2, 1, tmp.resolve("hadoop").toString());
        java.nio.file.Path out = tmp.resolve("wc");

        HadoopJobs.runAll(List.of(HadoopJobs.wordCount(conf, new Path(text.toUri()), new Path(out.toUri()), 2)));

        Map<String, Long> got = new TreeMap<>();
        try (var parts = Files.list(out)) {
            for (java.nio.file.Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-")).toList()) {
                for (String l : Files.readAllLines(p)) {
                    String[] kv = l.split("\t");
                    got.put(kv[0], Long.parseLong(kv[1]));
                }
            }
        }
        assertThat(got).isEqualTo(want).containsEntry("red", 3L).containsEntry("été", 2L);
    }

    @Test
    void theHarnessRefusesAnOutputThatDiffersFromTheReference() throws Exception {
        java.nio.file.Path ref = Files.write(tmp.resolve("ref.txt"), List.of("a\t1", "b\t2"));
        java.nio.file.Path same = Files.write(tmp.resolve("same.txt"), List.of("a\t1", "b\t2"));
        java.nio.file.Path wrong = Files.write(tmp.resolve("wrong.txt"), List.of("a\t1", "b\t3"));

        ComparisonBench.checkSame("wordcount", 10, "hadoop", ref, same);
        assertThatThrownBy(() -> ComparisonBench.checkSame("wordcount", 10, "spark", ref, wrong))
                .hasMessageContaining("wordcount on spark at 10 differs")
                .hasMessageContaining("expected b\t2 but was b\t3");
    }
}
