package dev.tandem.batch.mapreduce;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Reads one partition segment of a {@link Run} through a fixed-size buffer. */
final class SegmentReader implements RecordSource {

    private final FileChannel ch;
    private final Path file;
    private long filePos;
    private final long end;
    private final ByteBuffer bb;
    private final byte[] buf;
    private int bufPos;
    private int bufLen;
    private byte[] key = new byte[64];
    private byte[] val = new byte[64];
    private int keyLen;
    private int valLen;
    private boolean done;

    SegmentReader(Run run, int partition, int bufferBytes) throws IOException {
        this.file = run.file();
        this.ch = FileChannel.open(file, StandardOpenOption.READ);
        this.filePos = run.offsets()[partition];
        this.end = filePos + run.lengths()[partition];
        this.buf = new byte[(int) Math.max(64, Math.min(bufferBytes, run.lengths()[partition]))];
        this.bb = ByteBuffer.wrap(buf);
    }

    private int read() throws IOException {
        if (bufPos == bufLen) {
            fill();
        }
        return buf[bufPos++] & 0xFF;
    }

    private void fill() throws IOException {
        if (filePos >= end) {
            throw new IOException(file + ": segment ends without its end marker");
        }
        bb.clear();
        bb.limit((int) Math.min(buf.length, end - filePos));
        int n = ch.read(bb, filePos);
        if (n <= 0) {
            throw new IOException(file + ": truncated segment");
        }
        filePos += n;
        bufPos = 0;
        bufLen = n;
    }

    private long readVarLong() throws IOException {
        long v = 0;
        int shift = 0;
        while (true) {
            int b = read();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
            shift += 7;
        }
    }

    private void readInto(byte[] dst, int len) throws IOException {
        int n = 0;
        while (n < len) {
            if (bufPos == bufLen) {
                fill();
            }
            int c = Math.min(len - n, bufLen - bufPos);
            System.arraycopy(buf, bufPos, dst, n, c);
            bufPos += c;
            n += c;
        }
    }

    @Override
    public boolean next() throws IOException {
        if (done) {
            return false;
        }
        long kl = readVarLong();
        if (kl == 0) {
            done = true;
            return false;
        }
        keyLen = (int) (kl - 1);
        valLen = (int) readVarLong();
        if (key.length < keyLen) {
            key = new byte[Math.max(keyLen, key.length * 2)];
        }
        if (val.length < valLen) {
            val = new byte[Math.max(valLen, val.length * 2)];
        }
        readInto(key, keyLen);
        readInto(val, valLen);
        return true;
    }

    @Override
    public byte[] keyBuf() {
        return key;
    }

    @Override
    public int keyOff() {
        return 0;
    }

    @Override
    public int keyLen() {
        return keyLen;
    }

    @Override
    public byte[] valBuf() {
        return val;
    }

    @Override
    public int valOff() {
        return 0;
    }

    @Override
    public int valLen() {
        return valLen;
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
