package dev.tandem.batch.mapreduce;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a {@link Run}: partitions in ascending order, records in key order within each. */
final class RunWriter implements Closeable {

    private final Path file;
    private final OutputStream out;
    private final byte[] buf;
    private int bufLen;
    private long pos;
    private final long[] offsets;
    private final long[] lengths;
    private final long[] records;
    private int partition = -1;
    private boolean finished;

    RunWriter(Path file, int numPartitions, int bufferBytes) throws IOException {
        this.file = file;
        this.out = Files.newOutputStream(file);
        this.buf = new byte[Math.max(1024, bufferBytes)];
        this.offsets = new long[numPartitions];
        this.lengths = new long[numPartitions];
        this.records = new long[numPartitions];
    }

    /** Starts partition {@code p} (ascending), closing the ones before it. */
    void startPartition(int p) throws IOException {
        if (p < partition) {
            throw new IllegalStateException("partitions out of order: " + p + " after " + partition);
        }
        while (partition < p) {
            endPartition();
            partition++;
            offsets[partition] = pos;
        }
    }

    private void endPartition() throws IOException {
        if (partition >= 0) {
            writeByte(0);
            lengths[partition] = pos - offsets[partition];
        }
    }

    void append(byte[] k, int koff, int klen, byte[] v, int voff, int vlen) throws IOException {
        writeVarLong(klen + 1L);
        writeVarLong(vlen);
        write(k, koff, klen);
        write(v, voff, vlen);
        records[partition]++;
    }

    /** Closes every remaining partition and the file. */
    Run finish() throws IOException {
        startPartition(offsets.length - 1);
        endPartition();
        flush();
        out.close();
        finished = true;
        return new Run(file, offsets, lengths, records);
    }

    long bytesWritten() {
        return pos;
    }

    private void writeVarLong(long v) throws IOException {
        if (bufLen + 10 > buf.length) {
            flush();
        }
        while ((v & ~0x7FL) != 0) {
            buf[bufLen++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
            pos++;
        }
        buf[bufLen++] = (byte) v;
        pos++;
    }

    private void writeByte(int b) throws IOException {
        if (bufLen == buf.length) {
            flush();
        }
        buf[bufLen++] = (byte) b;
        pos++;
    }

    private void write(byte[] b, int off, int len) throws IOException {
        pos += len;
        if (len > buf.length - bufLen) {
            flush();
            if (len > buf.length) {
                out.write(b, off, len);
                return;
            }
        }
        System.arraycopy(b, off, buf, bufLen, len);
        bufLen += len;
    }

    private void flush() throws IOException {
        out.write(buf, 0, bufLen);
        bufLen = 0;
    }

    @Override
    public void close() throws IOException {
        if (!finished) {
            out.close();
        }
    }
}
