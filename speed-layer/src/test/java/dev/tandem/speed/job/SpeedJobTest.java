package dev.tandem.speed.job;

import dev.tandem.core.event.LogRecord;
import dev.tandem.core.reference.Evaluation;
import dev.tandem.core.reference.ReferenceEvaluator;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.validation.RejectReason;
import dev.tandem.speed.SpeedConfig;
import dev.tandem.speed.SpeedJob;
import dev.tandem.speed.logic.IngestTimeWatermarks;
import dev.tandem.speed.model.ChangelogEntry;
import dev.tandem.speed.model.RawRecord;
import dev.tandem.speed.model.Rejected;
import dev.tandem.speed.testing.ChangelogFold;
import dev.tandem.speed.testing.CollectingSink;
import dev.tandem.speed.testing.TestLogs;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static dev.tandem.core.testkit.TestEvents.t;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole job on a MiniCluster at parallelism 2 over a finite, generated log with synthetic ingest
 * times spanning many hours (no broker: the positions are the generator's), compared with the
 * reference evaluator for several cutoffs.
 */
class SpeedJobTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final long START = t("2026-11-20T00:00:00Z");

    private record Run(List<ChangelogEntry> changelog, List<Rejected> rejected) {
    }

    private static Run run(List<LogRecord> log, SpeedConfig config, int parallelism) throws Exception {
        ArrayList<RawRecord> records = new ArrayList<>();
        log.forEach(r -> records.add(RawRecord.of(r)));
        DataGeneratorSource<RawRecord> source = new DataGeneratorSource<>(
                i -> records.get(i.intValue()), records.size(), TypeInformation.of(RawRecord.class));
        CollectingSink<ChangelogEntry> changelog = new CollectingSink<>();
        CollectingSink<Rejected> dlq = new CollectingSink<>();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        SpeedJob.configure(env, config);
        new SpeedJob(config, source, IngestTimeWatermarks.forOrderedInput(), changelog, dlq).execute(env);
        return new Run(changelog.results(), dlq.results());
    }

    @Test
    void theFoldedChangelogEqualsTheReferenceForEveryCutoff() throws Exception {
        List<LogRecord> log = TestLogs.log(42, 1500, START);
        Evaluation reference = ReferenceEvaluator.evaluateLog(log);
        assertThat(reference.duplicates()).isPositive();
        assertThat(reference.attributedClicks()).isPositive();
        assertThat(reference.rejectedTotal()).isPositive();

        // the log spans ~51 h: a retention longer than that makes every pair of partners "within the
        // retention of each other", where the speed layer must agree with the reference exactly
        Run run = run(log, SpeedConfig.defaults().withRetentionMs(7 * IngestTags.DAY_MS), 2);

        ChangelogFold fold = new ChangelogFold();
        run.changelog().forEach(e -> fold.apply(e.key, e.value));
        TreeSet<Long> tags = new TreeSet<>();
        log.forEach(r -> tags.add(IngestTags.tagOf(r.ingestTime())));
        assertThat(tags.size()).isGreaterThan(10);
        List<Long> cutoffs = List.of(Long.MIN_VALUE, tags.first(), tags.first() + IngestTags.HOUR_MS,
                new ArrayList<>(tags).get(tags.size() / 2), tags.last(), tags.last() + IngestTags.HOUR_MS);
        for (long h : cutoffs) {
            fold.assertMatches(reference, h);
        }
        assertThat(fold.size()).isPositive();

        // the DLQ holds every bad record, with its reason and raw bytes
        Map<RejectReason, Long> dlqReasons = new EnumMap<>(RejectReason.class);
        run.rejected().forEach(r -> dlqReasons.merge(RejectReason.ofCode(r.reason), 1L, Long::sum));
        assertThat(dlqReasons).isEqualTo(reference.rejected());
        for (Rejected r : run.rejected()) {
            LogRecord original = log.stream().filter(l -> l.partition() == r.partition && l.offset() == r.offset)
                    .findFirst().orElseThrow();
            assertThat(r.raw).isEqualTo(original.value());
        }
    }

    @Test
    void tagsThatLeaveTheRetentionAreTombstoned() throws Exception {
        List<LogRecord> log = TestLogs.log(7, 1500, START);
        long retention = 3 * IngestTags.HOUR_MS;
        // parallelism 1: one source reader, so the watermark walks through every hour before the end
        Run run = run(log, SpeedConfig.defaults().withRetentionMs(retention), 1);
        ChangelogFold fold = new ChangelogFold();
        run.changelog().forEach(e -> fold.apply(e.key, e.value));

        long lastIngest = log.stream().mapToLong(LogRecord::ingestTime).max().orElseThrow();
        long tombstones = run.changelog().stream().filter(ChangelogEntry::isTombstone).count();
        assertThat(tombstones).isPositive();
        // what is left are exactly the tags that had not expired when the input ended
        for (var view : dev.tandem.core.view.Views.ALL) {
            fold.rows(view, Long.MIN_VALUE).keySet().forEach(k -> {
                String tagDim = k.dims().get(k.dims().size() - 1);
                long tag = Long.parseLong(tagDim.substring("tag=".length()));
                assertThat(tag + IngestTags.HOUR_MS + retention).isGreaterThanOrEqualTo(lastIngest);
            });
        }
        assertThat(fold.size()).isPositive();
    }
}
