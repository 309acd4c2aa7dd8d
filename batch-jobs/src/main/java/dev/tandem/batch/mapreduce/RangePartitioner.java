package dev.tandem.batch.mapreduce;

import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Range partitioning for totally ordered output (Hadoop's TotalOrderPartitioner): partition
 * {@code i} gets the keys in [splitPoint[i-1], splitPoint[i]), so reading the reduce outputs in
 * partition order reads every key in order. Split points come from {@link #sample}, which runs the
 * job's own mappers over a sample of its splits.
 */
public final class RangePartitioner implements Partitioner {

    private final byte[][] splitPoints;

    public RangePartitioner(List<byte[]> splitPoints) {
        this.splitPoints = splitPoints.toArray(new byte[0][]);
        for (int i = 1; i < this.splitPoints.length; i++) {
            if (Arrays.compareUnsigned(this.splitPoints[i - 1], this.splitPoints[i]) >= 0) {
                throw new IllegalArgumentException("split points must be strictly increasing");
            }
        }
    }

    public List<byte[]> splitPoints() {
        return List.of(splitPoints);
    }

    @Override
    public int partition(byte[] key, int off, int len, int numPartitions) {
        // the number of split points <= key (binary search); with fewer split points than
        // partitions - 1 (few distinct keys), the last partitions stay empty
        int lo = 0;
        int hi = splitPoints.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            byte[] s = splitPoints[mid];
            if (Arrays.compareUnsigned(s, 0, s.length, key, off, off + len) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return Math.min(lo, numPartitions - 1);
    }

    /**
     * Samples the map output keys of a job: reads up to {@code maxSplits} of its splits, evenly
     * spaced, runs the job's mappers on them, keeps a reservoir of {@code sampleSize} key grouping
     * prefixes, and picks {@code numPartitions - 1} evenly spaced distinct split points.
     */
    public static <K, V> RangePartitioner sample(List<Input<?, K, V>> inputs, KeyCodec<K> keyCodec, Configuration conf,
                                                 int numPartitions, int sampleSize, int maxSplits, long seed)
            throws IOException {
        List<InputSplit> splits = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            splits.addAll(inputs.get(i).format().splits(i, inputs.get(i).paths(), conf));
        }
        List<byte[]> reservoir = new ArrayList<>(sampleSize);
        SplittableRandom rnd = new SplittableRandom(seed);
        long[] seen = {0};
        BinaryWriter scratch = new BinaryWriter();
        int step = Math.max(1, splits.size() / Math.max(1, maxSplits));
        for (int s = 0; s < splits.size(); s += step) {
            sampleSplit(inputs.get(splits.get(s).input()), splits.get(s), conf, keyCodec, (k, v) -> {
                scratch.reset();
                keyCodec.write(k, scratch);
                byte[] b = Arrays.copyOf(scratch.bytes(), keyCodec.groupLength(scratch.bytes(), 0, scratch.size()));
                seen[0]++;
                if (reservoir.size() < sampleSize) {
                    reservoir.add(b);
                } else {
                    long j = rnd.nextLong(seen[0]);
                    if (j < sampleSize) {
                        reservoir.set((int) j, b);
                    }
                }
            });
        }
        reservoir.sort(Arrays::compareUnsigned);
        List<byte[]> points = new ArrayList<>();
        for (int i = 1; i < numPartitions && !reservoir.isEmpty(); i++) {
            byte[] p = reservoir.get((int) ((long) i * reservoir.size() / numPartitions));
            if (points.isEmpty() || Arrays.compareUnsigned(points.get(points.size() - 1), p) < 0) {
                points.add(p);
            }
        }
        return new RangePartitioner(points);
    }

    private static <I, K, V> void sampleSplit(Input<I, K, V> input, InputSplit split, Configuration conf,
                                              KeyCodec<K> keyCodec, Emitter<K, V> out) throws IOException {
        Mapper<I, K, V> mapper = input.mapper().get();
        try (RecordReader<I> r = input.format().open(split, conf)) {
            while (r.next()) {
                mapper.map(r.current(), out);
            }
        }
    }
}
