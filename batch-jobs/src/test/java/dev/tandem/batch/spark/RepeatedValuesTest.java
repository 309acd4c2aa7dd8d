package dev.tandem.batch.spark;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Dedup's helpers: the sort that finds repeated id hashes (against counting in a map), and position packing. */
class RepeatedValuesTest {

    @Test
    void returnsEachValueSeenMoreThanOnceExactlyOnce() {
        Random random = new Random(3);
        for (int round = 0; round < 20; round++) {
            int n = random.nextInt(200_000);
            List<Row> rows = new ArrayList<>(n);
            Map<Long, Integer> counts = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                // a small range in some rounds makes values repeat two, three, many times
                long v = round % 2 == 0 ? random.nextLong() : random.nextInt(n / 3 + 1) - n / 6;
                rows.add(RowFactory.create(v));
                counts.merge(v, 1, Integer::sum);
            }
            List<Long> expected = counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                    .collect(Collectors.toList());
            List<Long> actual = new ArrayList<>();
            Iterator<Long> it = SparkViewPipeline.repeatedValues(rows.iterator());
            it.forEachRemaining(actual::add);
            assertThat(actual).as("round %d, %d values", round, n).isEqualTo(expected);
        }
    }

    @Test
    void positionsPackOnlyWhenThePackingIsOneToOne() {
        assertThat(SparkViewPipeline.positionsPack(0, 11, 0, 5_000_000_000L)).isTrue();
        assertThat(SparkViewPipeline.positionsPack(0, (1 << 23) - 1, 0, (1L << 40) - 1)).isTrue();
        assertThat(SparkViewPipeline.positionsPack(0, 1 << 23, 0, 10)).isFalse();
        assertThat(SparkViewPipeline.positionsPack(0, 3, 0, 1L << 40)).isFalse();
        assertThat(SparkViewPipeline.positionsPack(-1, 3, 0, 10)).isFalse();
        assertThat(SparkViewPipeline.positionsPack(0, 3, -5, 10)).isFalse();
    }
}
