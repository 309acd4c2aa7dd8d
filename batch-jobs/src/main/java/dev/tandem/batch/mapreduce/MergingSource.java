package dev.tandem.batch.mapreduce;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * The k-way merge: a binary min-heap of sources ordered by their current key bytes (ties by
 * source index, so the merge is stable and deterministic).
 */
final class MergingSource implements RecordSource {

    private final RecordSource[] sources;
    private final int[] order; // source index per source, for ties
    private RecordSource[] heap;
    private int[] heapIdx;
    private int size;
    private boolean started;

    MergingSource(List<? extends RecordSource> sources) {
        this.sources = sources.toArray(new RecordSource[0]);
        this.order = new int[this.sources.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
    }

    static int compare(RecordSource a, RecordSource b) {
        return Arrays.compareUnsigned(a.keyBuf(), a.keyOff(), a.keyOff() + a.keyLen(),
                b.keyBuf(), b.keyOff(), b.keyOff() + b.keyLen());
    }

    private boolean less(int i, int j) {
        int c = compare(heap[i], heap[j]);
        return c < 0 || (c == 0 && heapIdx[i] < heapIdx[j]);
    }

    private void swap(int i, int j) {
        RecordSource t = heap[i];
        heap[i] = heap[j];
        heap[j] = t;
        int ti = heapIdx[i];
        heapIdx[i] = heapIdx[j];
        heapIdx[j] = ti;
    }

    private void siftDown(int i) {
        while (true) {
            int l = 2 * i + 1;
            int r = l + 1;
            int m = i;
            if (l < size && less(l, m)) {
                m = l;
            }
            if (r < size && less(r, m)) {
                m = r;
            }
            if (m == i) {
                return;
            }
            swap(i, m);
            i = m;
        }
    }

    @Override
    public boolean next() throws IOException {
        if (!started) {
            started = true;
            heap = new RecordSource[sources.length];
            heapIdx = new int[sources.length];
            for (int i = 0; i < sources.length; i++) {
                if (sources[i].next()) {
                    heap[size] = sources[i];
                    heapIdx[size] = order[i];
                    size++;
                }
            }
            for (int i = size / 2 - 1; i >= 0; i--) {
                siftDown(i);
            }
            return size > 0;
        }
        if (size == 0) {
            return false;
        }
        if (heap[0].next()) {
            siftDown(0);
        } else {
            size--;
            heap[0] = heap[size];
            heapIdx[0] = heapIdx[size];
            heap[size] = null;
            siftDown(0);
        }
        return size > 0;
    }

    @Override
    public byte[] keyBuf() {
        return heap[0].keyBuf();
    }

    @Override
    public int keyOff() {
        return heap[0].keyOff();
    }

    @Override
    public int keyLen() {
        return heap[0].keyLen();
    }

    @Override
    public byte[] valBuf() {
        return heap[0].valBuf();
    }

    @Override
    public int valOff() {
        return heap[0].valOff();
    }

    @Override
    public int valLen() {
        return heap[0].valLen();
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (RecordSource s : sources) {
            try {
                s.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
