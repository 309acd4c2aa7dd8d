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
     * Per record: 4 metadata ints (partition, key start, key length, value length), and for the
     * sort, parallel arrays (and their merge buffers) of record index, key length and the key's
     * first 8 bytes, so that a sort pass walks memory sequentially and most comparisons never
     * touch the data array.
     */
    private static final int META_INTS = 4;
    private static final int BYTES_PER_RECORD = META_INTS * Integer.BYTES + 2 * (Integer.BYTES + Integer.BYTES + Long.BYTES);

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
    private int[] len;
    private int[] lenTmp;
    private long[] pfx;
    private long[] pfxTmp;
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
        len = null;
        lenTmp = null;
        pfx = null;
        pfxTmp = null;
        maxRecords = records;
        data = new byte[Math.max(64, budget - records * BYTES_PER_RECORD)];
        meta = new int[records * META_INTS];
        idx = new int[records];
        tmp = new int[records];
        len = new int[records];
        lenTmp = new int[records];
        pfx = new long[records];
        pfxTmp = new long[records];
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
        sortByPartitionAndKey();
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

    /**
     * A counting sort by partition (the partitions are few), then a stable merge sort of each
     * partition's records by key, on the parallel arrays (idx, len, pfx).
     */
    private void sortByPartitionAndKey() {
        int[] start = new int[numPartitions + 1];
        for (int r = 0; r < count; r++) {
            start[meta[r * META_INTS] + 1]++;
        }
        for (int p = 0; p < numPartitions; p++) {
            start[p + 1] += start[p];
        }
        int[] next = start.clone();
        for (int r = 0; r < count; r++) {
            int m = r * META_INTS;
            int pos = next[meta[m]]++;
            int off = meta[m + 1];
            int kl = meta[m + 2];
            long prefix = 0;
            for (int b = 0; b < 8; b++) {
                prefix = (prefix << 8) | (b < kl ? data[off + b] & 0xFF : 0);
            }
            idx[pos] = r;
            len[pos] = kl;
            pfx[pos] = prefix;
        }
        for (int p = 0; p < numPartitions; p++) {
            sort(start[p], start[p + 1]);
        }
    }

    /** Compares the records at sort positions i (in the main arrays) and j (in the tmp arrays or main). */
    private int compareKeys(long pa, int la, int ra, long pb, int lb, int rb) {
        int c = Long.compareUnsigned(pa, pb);
        if (c != 0) {
            return c;
        }
        if (la <= 8 || lb <= 8) {
            // equal zero-padded first 8 bytes: the shorter key is a prefix of the longer one
            return Integer.compare(la, lb);
        }
        int oa = meta[ra * META_INTS + 1];
        int ob = meta[rb * META_INTS + 1];
        return Arrays.compareUnsigned(data, oa + 8, oa + la, data, ob + 8, ob + lb);
    }

    /** Stable merge sort of positions [from, to) of (idx, len, pfx). */
    private void sort(int from, int to) {
        if (to - from < 16) {
            for (int i = from + 1; i < to; i++) {
                int vi = idx[i];
                int vl = len[i];
                long vp = pfx[i];
                int j = i - 1;
                while (j >= from && compareKeys(pfx[j], len[j], idx[j], vp, vl, vi) > 0) {
                    idx[j + 1] = idx[j];
                    len[j + 1] = len[j];
                    pfx[j + 1] = pfx[j];
                    j--;
                }
                idx[j + 1] = vi;
                len[j + 1] = vl;
                pfx[j + 1] = vp;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        sort(from, mid);
        sort(mid, to);
        if (compareKeys(pfx[mid - 1], len[mid - 1], idx[mid - 1], pfx[mid], len[mid], idx[mid]) <= 0) {
            return;
        }
        System.arraycopy(idx, from, tmp, from, to - from);
        System.arraycopy(len, from, lenTmp, from, to - from);
        System.arraycopy(pfx, from, pfxTmp, from, to - from);
        int i = from;
        int j = mid;
        int k = from;
        while (i < mid && j < to) {
            if (compareKeys(pfxTmp[j], lenTmp[j], tmp[j], pfxTmp[i], lenTmp[i], tmp[i]) < 0) {
                idx[k] = tmp[j];
                len[k] = lenTmp[j];
                pfx[k++] = pfxTmp[j++];
            } else {
                idx[k] = tmp[i];
                len[k] = lenTmp[i];
                pfx[k++] = pfxTmp[i++];
            }
        }
        while (i < mid) {
            idx[k] = tmp[i];
            len[k] = lenTmp[i];
            pfx[k++] = pfxTmp[i++];
        }
        while (j < to) {
            idx[k] = tmp[j];
            len[k] = lenTmp[j];
            pfx[k++] = pfxTmp[j++];
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
