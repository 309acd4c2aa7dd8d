package dev.tandem.batch.mapreduce;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keys whose encodings are full of zero bytes and shared 8-byte prefixes (ordered longs), through
 * tiny sort buffers and a range partitioner: the output is the numeric sort of the input.
 */
class BinaryKeysTest {

    @TempDir
    Path tmp;

    @Test
    void orderedLongKeysComeOutNumericallySortedWithExactCounts() throws IOException {
        SplittableRandom r = new SplittableRandom(17);
        TreeMap<Long, Long> want = new TreeMap<>();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            long v = switch (r.nextInt(4)) {
                case 0 -> r.nextLong();
                case 1 -> r.nextLong(-300, 300);
                case 2 -> (r.nextLong(-1000, 1000)) << 40;
                default -> r.nextInt(3) - 1L + (r.nextBoolean() ? Long.MAX_VALUE - 1 : Long.MIN_VALUE + 1);
            };
            want.merge(v, 1L, Long::sum);
            sb.append(v).append('\n');
        }
        Path in = tmp.resolve("numbers.txt");
        Files.writeString(in, sb);
        org.apache.hadoop.fs.Path out = new org.apache.hadoop.fs.Path(tmp.resolve("out").toUri());
        Job.Builder<Long, Long, Long, Long> b = Job.<Long, Long, Long, Long>builder("sort-longs", Serdes.LONG_KEY, Serdes.VARLONG)
                .input(new TextInputFormat(20_000), List.of(new org.apache.hadoop.fs.Path(in.toUri())),
                        () -> (String line, Emitter<Long, Long> o) -> o.emit(Long.parseLong(line), 1L))
                .combiner(() -> BinaryKeysTest::sum)
                .reducer(() -> BinaryKeysTest::sum)
                .output(new TextOutputFormat<>(), out)
                .reduceTasks(3);
        Job<Long, Long, Long, Long> probe = b.build();
        RangePartitioner range = RangePartitioner.sample(probe.inputs(), Serdes.LONG_KEY, new Configuration(), 3, 1000, 10, 5);
        MapReduceConfig cfg = MapReduceConfig.defaults(tmp.resolve("local")).withSortBufferBytes(4096).withMergeFactor(3)
                .withProgressInterval(Duration.ofSeconds(5));
        JobResult res = new JobRunner(cfg).run(b.partitioner(range).build());

        List<String> lines = TestTexts.readOutput(tmp.resolve("out"));
        List<String> expected = new ArrayList<>();
        want.forEach((k, v) -> expected.add(k + "\t" + v));
        assertThat(lines).isEqualTo(expected); // part files in order = numeric order
        assertThat(res.counters().get(Counters.SPILLS)).isGreaterThan(20);
    }

    static void sum(Long key, Iterator<Long> values, Emitter<Long, Long> out) throws IOException {
        long s = 0;
        while (values.hasNext()) {
            s += values.next();
        }
        out.emit(key, s);
    }
}
