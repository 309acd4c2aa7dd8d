package dev.tandem.batch.mapreduce;

import dev.tandem.batch.mapreduce.jobs.WordCount;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The engine against the sequential reference, as MIT 6.824's test script does: the same word
 * count functions, the same input, identical output under every engine setting and failure.
 */
class EngineMatchesSequentialTest {

    @TempDir
    static Path shared;
    static List<Path> corpus;
    static List<String> expected;

    @TempDir
    Path tmp;

    @BeforeAll
    static void corpus() throws IOException {
        corpus = TestTexts.write(shared.resolve("in"), 42, 5, 3_000, 0);
        expected = sorted(SequentialReference.run(corpus, new WordCount.LineMapper(), Serdes.UTF8_KEY, Serdes.VARLONG,
                new WordCount.Sum()));
        assertThat(expected).hasSizeGreaterThan(1000);
    }

    static List<String> sorted(List<String> lines) {
        List<String> s = new ArrayList<>(lines);
        s.sort(null);
        return s;
    }

    static List<org.apache.hadoop.fs.Path> hadoop(List<Path> ps) {
        return ps.stream().map(p -> new org.apache.hadoop.fs.Path(p.toUri())).toList();
    }

    static org.apache.hadoop.fs.Path hadoop(Path p) {
        return new org.apache.hadoop.fs.Path(p.toUri());
    }

    MapReduceConfig config() {
        return MapReduceConfig.defaults(tmp.resolve("local")).withMapSlots(2).withReduceSlots(2).withReduceTasks(3)
                .withSortBufferBytes(256 << 10).withTextSplitBytes(40_000).withProgressInterval(Duration.ofSeconds(1));
    }

    JobResult wordCount(MapReduceConfig cfg, Path out) throws IOException {
        return new JobRunner(cfg).run(WordCount.overText(hadoop(corpus), cfg.textSplitBytes(), hadoop(out)).build());
    }

    @ParameterizedTest(name = "{0} map slots")
    @ValueSource(ints = {1, 2, 4})
    void sameOutputForAnyNumberOfMapSlots(int slots) throws IOException {
        Path out = tmp.resolve("out");
        JobResult r = wordCount(config().withMapSlots(slots).withReduceSlots(slots), out);

        assertThat(sorted(TestTexts.readOutput(out))).isEqualTo(expected);
        assertThat(out.resolve("_SUCCESS")).exists();
        assertThat(out.resolve("_temporary")).doesNotExist();
        assertThat(r.counters().get(Counters.MAP_TASKS)).isGreaterThan(5); // several splits per file
        assertThat(r.counters().get(Counters.REDUCE_OUTPUT_RECORDS)).isEqualTo(expected.size());
        assertThat(r.counters().get(Counters.FAILED_ATTEMPTS)).isZero();
    }

    @Test
    void sameOutputWhenEveryTaskSpillsManyTimesAndMergesInPasses() throws IOException {
        Path out = tmp.resolve("out");
        MapReduceConfig cfg = config().withSortBufferBytes(8192).withMergeFactor(4).withIoBufferBytes(1024);
        JobResult r = wordCount(cfg, out);

        assertThat(sorted(TestTexts.readOutput(out))).isEqualTo(expected);
        long maps = r.counters().get(Counters.MAP_TASKS);
        assertThat(r.counters().get(Counters.SPILLS)).isGreaterThan(10 * maps);
        assertThat(r.counters().get(Counters.MERGE_PASSES)).isGreaterThan(maps);
        assertThat(r.counters().get(Counters.SPILLED_BYTES)).isPositive();
        assertThat(r.counters().get(Counters.COMBINE_OUTPUT_RECORDS))
                .isLessThan(r.counters().get(Counters.COMBINE_INPUT_RECORDS));
        // the buffer never grows past its configured size, however much the map emits
        assertThat(r.counters().get(Counters.PEAK_SORT_BUFFER_BYTES)).isLessThanOrEqualTo(8192);
        assertThat(r.counters().get(Counters.MAP_OUTPUT_BYTES)).isGreaterThan(50 * 8192);
    }

    @Test
    void sameOutputForHeavilySkewedKeys() throws IOException {
        List<Path> skewed = TestTexts.write(tmp.resolve("skewed"), 9, 3, 3_000, 0.9);
        List<String> want = sorted(SequentialReference.run(skewed, new WordCount.LineMapper(), Serdes.UTF8_KEY,
                Serdes.VARLONG, new WordCount.Sum()));
        Path out = tmp.resolve("out");
        MapReduceConfig cfg = config().withSortBufferBytes(4096).withReduceTasks(4);
        JobResult r = new JobRunner(cfg).run(WordCount.overText(hadoop(skewed), cfg.textSplitBytes(), hadoop(out)).build());

        assertThat(sorted(TestTexts.readOutput(out))).isEqualTo(want);
        assertThat(want).anyMatch(l -> l.startsWith("hot\t"));
        long hot = Long.parseLong(want.stream().filter(l -> l.startsWith("hot\t")).findFirst().orElseThrow().split("\t")[1]);
        assertThat(hot).isGreaterThan(r.counters().get(Counters.MAP_INPUT_RECORDS) * 3);
    }

    @Test
    void sameOutputWhenAMapTaskThrowsOnItsFirstAttempt() throws IOException {
        Path out = tmp.resolve("out");
        MapReduceConfig cfg = config();
        Job<String, Long, String, Long> job = Job.<String, Long, String, Long>builder("flaky-map", Serdes.UTF8_KEY, Serdes.VARLONG)
                .input(new TextInputFormat(cfg.textSplitBytes()), hadoop(corpus), () -> new Mapper<String, String, Long>() {
                    final WordCount.LineMapper inner = new WordCount.LineMapper();
                    TaskContext ctx;
                    int n;

                    @Override
                    public void setup(TaskContext c) {
                        ctx = c;
                    }

                    @Override
                    public void map(String line, Emitter<String, Long> o) throws IOException {
                        if (ctx.taskIndex() == 1 && ctx.attempt() == 0 && ++n == 100) {
                            throw new IllegalStateException("injected map failure");
                        }
                        inner.map(line, o);
                    }
                })
                .combiner(WordCount.Sum::new).reducer(WordCount.Sum::new)
                .output(new TextOutputFormat<>(), hadoop(out)).build();
        JobResult r = new JobRunner(cfg).run(job);

        assertThat(sorted(TestTexts.readOutput(out))).isEqualTo(expected);
        assertThat(r.counters().get(Counters.FAILED_ATTEMPTS)).isEqualTo(1);
        // the failed attempt's counters are dropped: map input equals the corpus' lines exactly
        assertThat(r.counters().get(Counters.MAP_INPUT_RECORDS)).isEqualTo(lineCount(corpus));
    }

    @Test
    void sameOutputWhenAReduceTaskDiesMidWriteLeavingAPartialAttemptDir() throws IOException {
        Path out = tmp.resolve("out");
        MapReduceConfig cfg = config();
        Set<String> seenByRetry = ConcurrentHashMap.newKeySet();
        Set<String> visibleDuringJob = ConcurrentHashMap.newKeySet();
        Job<String, Long, String, Long> job = Job.<String, Long, String, Long>builder("dying-reduce", Serdes.UTF8_KEY, Serdes.VARLONG)
                .input(new TextInputFormat(cfg.textSplitBytes()), hadoop(corpus), WordCount.LineMapper::new)
                .combiner(WordCount.Sum::new)
                .reducer(() -> new Reducer<String, Long, String, Long>() {
                    TaskContext ctx;
                    int written;

                    @Override
                    public void setup(TaskContext c) {
                        ctx = c;
                        if (c.taskIndex() == 2 && c.attempt() == 1) {
                            seenByRetry.addAll(listRecursively(out.resolve("_temporary")));
                        }
                        try (Stream<Path> s = Files.list(out)) {
                            s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("_temporary")).forEach(visibleDuringJob::add);
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    }

                    @Override
                    public void reduce(String key, Iterator<Long> values, Emitter<String, Long> o) throws IOException {
                        long s = 0;
                        while (values.hasNext()) {
                            s += values.next();
                        }
                        o.emit(key, s);
                        if (ctx.taskIndex() == 2 && ctx.attempt() == 0 && ++written == 50) {
                            throw new Error("injected death of reduce task 2 after 50 records");
                        }
                    }
                })
                .output(new TextOutputFormat<>(), hadoop(out)).build();
        JobResult r = new JobRunner(cfg).run(job);

        assertThat(sorted(TestTexts.readOutput(out))).isEqualTo(expected);
        assertThat(r.counters().get(Counters.FAILED_ATTEMPTS)).isEqualTo(1);
        // the dead attempt's partial file was still there while its retry ran, and was never promoted
        assertThat(seenByRetry).anyMatch(p -> p.contains("_r_000002_0") && p.endsWith("part-r-00002.txt"));
        assertThat(visibleDuringJob).isEmpty();
        assertThat(out.resolve("_temporary")).doesNotExist();
    }

    @Test
    void aTaskThatFailsEveryAttemptFailsTheJobAndLeavesNothingVisible() throws IOException {
        Path out = tmp.resolve("out");
        AtomicInteger attempts = new AtomicInteger();
        Job<String, Long, String, Long> job = Job.<String, Long, String, Long>builder("doomed", Serdes.UTF8_KEY, Serdes.VARLONG)
                .input(new TextInputFormat(40_000), hadoop(corpus), WordCount.LineMapper::new)
                .reducer(() -> (key, values, o) -> {
                    if (key.equals("the")) {
                        attempts.incrementAndGet();
                        throw new IllegalStateException("poison key");
                    }
                    o.emit(key, 1L);
                })
                .output(new TextOutputFormat<>(), hadoop(out)).build();

        assertThatThrownBy(() -> new JobRunner(config().withMaxAttempts(3)).run(job))
                .isInstanceOf(JobFailedException.class).hasMessageContaining("failed 3 attempts");
        assertThat(attempts.get()).isEqualTo(3);
        assertThat(listRecursively(out)).isEmpty();
    }

    @Test
    void rangePartitioningGivesGloballySortedOutput() throws IOException {
        Path out = tmp.resolve("out");
        MapReduceConfig cfg = config().withReduceTasks(4);
        Job.Builder<String, Long, String, Long> b = WordCount.overText(hadoop(corpus), cfg.textSplitBytes(), hadoop(out));
        Job<String, Long, String, Long> probe = b.build();
        RangePartitioner range = RangePartitioner.sample(probe.inputs(), probe.keyCodec(), probe.conf(), 4, 2_000, 5, 1);
        new JobRunner(cfg).run(b.partitioner(range).build());

        List<String> lines = TestTexts.readOutput(out); // part-r-00000, part-r-00001, … in order
        assertThat(sorted(lines)).isEqualTo(expected);
        assertThat(range.splitPoints()).hasSize(3);
        for (int i = 1; i < lines.size(); i++) {
            byte[] prev = lines.get(i - 1).split("\t")[0].getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] cur = lines.get(i).split("\t")[0].getBytes(java.nio.charset.StandardCharsets.UTF_8);
            assertThat(java.util.Arrays.compareUnsigned(prev, cur)).as("line %d after %d", i, i - 1).isNegative();
        }
        for (int p = 0; p < 4; p++) {
            assertThat(Files.size(out.resolve(String.format("part-r-%05d.txt", p)))).as("partition %d", p).isPositive();
        }
    }

    static long lineCount(List<Path> files) throws IOException {
        long n = 0;
        for (Path f : files) {
            String s = Files.readString(f);
            n += s.chars().filter(c -> c == '\n').count() + (s.endsWith("\n") ? 0 : 1);
        }
        return n;
    }

    static List<String> listRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString())
                    .filter(n -> !n.endsWith(".crc")).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
