package dev.tandem.batch.mapreduce;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The map-side sort buffer (Hadoop's {@code MapOutputBuffer}, simplified to spill synchronously):
 * one byte array of serialized keys and values plus an int array of record metadata, both
 * allocated once and sized from {@code bufferBytes}. When either fills, the records are sorted by
 * (partition, key bytes), passed through the combiner, and written to a new spill run; the buffer
 * is then reused. Memory is therefore {@code bufferBytes} whatever the input size (plus one
 * scratch record: a record larger than the data area is spilled as a run of its own).
 */
final class SortBuffer<K, V> implements Emitter<K, V> {

    /**
     * Metadata ints per record (partition, key start, key length, value length, and the key's first
     * 8 bytes as two ints, so most comparisons never touch the data array) plus 2 sort ints.
     */
    private static final int META_INTS = 6;
    private static final int BYTES_PER_RECORD = (META_INTS + 2) * Integer.BYTES;

    private final KeyCodec<K> keyCodec;
    private final Serde<V> valueSerde;
    private final Partitioner partitioner;
    private final int numPartitions;
    private final CombineDriver<K, V> combiner;
    private final Counters counters;
    private final Path dir;
    private final int ioBufferBytes;

    private final int budget;
    private byte[] data;
    private int[] meta;
    private int[] idx;
    private int[] tmp;
    private int maxRecords;
    private boolean adapted;
    private long outRecords;
    private long outBytes;
    private int used;
    private int count;
    private final BinaryWriter scratch = new BinaryWriter(256);
    private final List<Run> spills = new ArrayList<>();

    SortBuffer(int bufferBytes, KeyCodec<K> keyCodec, Serde<V> valueSerde, Partitioner partitioner, int numPartitions,
               CombineDriver<K, V> combiner, Counters counters, Path dir, int ioBufferBytes) {
        this.keyCodec = keyCodec;
        this.valueSerde = valueSerde;
        this.partitioner = partitioner;
        this.numPartitions = numPartitions;
        this.combiner = combiner;
        this.counters = counters;
        this.dir = dir;
        this.ioBufferBytes = ioBufferBytes;
        this.budget = bufferBytes;
        // start with a quarter of the buffer for record metadata; re-split after the first spill
        layout(Math.max(1, bufferBytes / 4 / BYTES_PER_RECORD));
    }

    /** (Re)allocates the buffer as {@code records} metadata slots plus the rest for data bytes. */
    private void layout(int records) {
        data = null;
        meta = null;
        idx = null;
        tmp = null;
        maxRecords = records;
        data = new byte[Math.max(64, budget - records * BYTES_PER_RECORD)];
        meta = new int[records * META_INTS];
        idx = new int[records];
        tmp = new int[records];
        counters.max(Counters.PEAK_SORT_BUFFER_BYTES, (long) data.length + (long) records * BYTES_PER_RECORD);
    }

    /**
     * After the first spill, splits the buffer between metadata and data in proportion to the
     * records seen (Hadoop tunes {@code io.sort.record.percent} for the same reason): small records
     * (word count) need many metadata slots, large ones (events) need data space.
     */
    private void adapt(int spilledCount, int spilledBytes) {
        if (adapted || spilledCount == 0) {
            return;
        }
        adapted = true;
        double avg = (double) spilledBytes / spilledCount;
        int ideal = (int) Math.max(1, Math.min((budget - 64) / BYTES_PER_RECORD, budget / (avg * 1.1 + BYTES_PER_RECORD)));
        if (Math.abs(ideal - maxRecords) > maxRecords / 4) {
            layout(ideal);
        }
    }

    @Override
    public void emit(K key, V value) throws IOException {
        scratch.reset();
        keyCodec.write(key, scratch);
        int klen = scratch.size();
        valueSerde.write(value, scratch);
        int vlen = scratch.size() - klen;
        byte[] s = scratch.bytes();
        int p = partitioner.partition(s, 0, keyCodec.groupLength(s, 0, klen), numPartitions);
        if (p < 0 || p >= numPartitions) {
            throw new IllegalStateException("partitioner returned " + p + " for " + numPartitions + " partitions");
        }
        outRecords++;
        outBytes += klen + vlen;
        if (used + klen + vlen > data.length || count == maxRecords) {
            spill();
        }
        if (klen + vlen > data.length) {
            spillSingle(p, s, klen, vlen);
            return;
        }
        System.arraycopy(s, 0, data, used, klen + vlen);
        int m = count * META_INTS;
        meta[m] = p;
        meta[m + 1] = used;
        meta[m + 2] = klen;
        meta[m + 3] = vlen;
        long prefix = 0;
        for (int i = 0; i < 8; i++) {
            prefix = (prefix << 8) | (i < klen ? s[i] & 0xFF : 0);
        }
        meta[m + 4] = (int) (prefix >>> 32);
        meta[m + 5] = (int) prefix;
        used += klen + vlen;
        count++;
    }

    /** Spills what is left and returns every spill run, in spill order. */
    List<Run> finish() throws IOException {
        if (count > 0 || spills.isEmpty()) {
            spill();
        }
        counters.add(Counters.MAP_OUTPUT_RECORDS, outRecords);
        counters.add(Counters.MAP_OUTPUT_BYTES, outBytes);
        return spills;
    }

    private Path nextSpillFile() {
        return dir.resolve("spill" + spills.size() + ".run");
    }

    private void spill() throws IOException {
        for (int i = 0; i < count; i++) {
            idx[i] = i;
        }
        sort(0, count);
        Path file = nextSpillFile();
        long records = 0;
        try (RunWriter w = new RunWriter(file, numPartitions, ioBufferBytes)) {
            int i = 0;
            while (i < count) {
                int p = meta[idx[i] * META_INTS];
                int j = i;
                while (j < count && meta[idx[j] * META_INTS] == p) {
                    j++;
                }
                w.startPartition(p);
                BufferSource src = new BufferSource(i, j);
                if (combiner != null) {
                    combiner.run(src, w);
                } else {
                    while (src.next()) {
                        w.append(data, src.keyOff(), src.keyLen(), data, src.valOff(), src.valLen());
                    }
                }
                i = j;
            }
            Run run = w.finish();
            records = run.totalRecords();
            spills.add(run);
            counters.add(Counters.SPILLS, 1);
            counters.add(Counters.SPILLED_RECORDS, records);
            counters.add(Counters.SPILLED_BYTES, w.bytesWritten());
        }
        int spilledCount = count;
        int spilledBytes = used;
        used = 0;
        count = 0;
        adapt(spilledCount, spilledBytes);
    }

    private void spillSingle(int p, byte[] s, int klen, int vlen) throws IOException {
        try (RunWriter w = new RunWriter(nextSpillFile(), numPartitions, ioBufferBytes)) {
            w.startPartition(p);
            w.append(s, 0, klen, s, klen, vlen);
            spills.add(w.finish());
            counters.add(Counters.SPILLS, 1);
            counters.add(Counters.SPILLED_RECORDS, 1);
            counters.add(Counters.SPILLED_BYTES, w.bytesWritten());
        }
    }

    private int compare(int a, int b) {
        int ma = a * META_INTS;
        int mb = b * META_INTS;
        int c = Integer.compare(meta[ma], meta[mb]);
        if (c != 0) {
            return c;
        }
        c = Integer.compareUnsigned(meta[ma + 4], meta[mb + 4]);
        if (c != 0) {
            return c;
        }
        c = Integer.compareUnsigned(meta[ma + 5], meta[mb + 5]);
        if (c != 0) {
            return c;
        }
        int la = meta[ma + 2];
        int lb = meta[mb + 2];
        if (la <= 8 || lb <= 8) {
            // equal zero-padded first 8 bytes: the shorter key is a prefix of the longer one
            return Integer.compare(la, lb);
        }
        return Arrays.compareUnsigned(data, meta[ma + 1] + 8, meta[ma + 1] + la, data, meta[mb + 1] + 8, meta[mb + 1] + lb);
    }

    /** Stable merge sort of idx[from, to) (stable: equal keys keep emit order). */
    private void sort(int from, int to) {
        if (to - from < 16) {
            for (int i = from + 1; i < to; i++) {
                int v = idx[i];
                int j = i - 1;
                while (j >= from && compare(idx[j], v) > 0) {
                    idx[j + 1] = idx[j];
                    j--;
                }
                idx[j + 1] = v;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        sort(from, mid);
        sort(mid, to);
        if (compare(idx[mid - 1], idx[mid]) <= 0) {
            return;
        }
        System.arraycopy(idx, from, tmp, from, to - from);
        int i = from;
        int j = mid;
        int k = from;
        while (i < mid && j < to) {
            idx[k++] = compare(tmp[j], tmp[i]) < 0 ? tmp[j++] : tmp[i++];
        }
        while (i < mid) {
            idx[k++] = tmp[i++];
        }
        while (j < to) {
            idx[k++] = tmp[j++];
        }
    }

    /** The sorted records idx[from, to) of one partition, straight from the buffer. */
    private final class BufferSource implements RecordSource {
        private int i;
        private final int to;
        private int m = -1;

        BufferSource(int from, int to) {
            this.i = from;
            this.to = to;
        }

        @Override
        public boolean next() {
            if (i >= to) {
                return false;
            }
            m = idx[i++] * META_INTS;
            return true;
        }

        @Override
        public byte[] keyBuf() {
            return data;
        }

        @Override
        public int keyOff() {
            return meta[m + 1];
        }

        @Override
        public int keyLen() {
            return meta[m + 2];
        }

        @Override
        public byte[] valBuf() {
            return data;
        }

        @Override
        public int valOff() {
            return meta[m + 1] + meta[m + 2];
        }

        @Override
        public int valLen() {
            return meta[m + 3];
        }
    }
}
