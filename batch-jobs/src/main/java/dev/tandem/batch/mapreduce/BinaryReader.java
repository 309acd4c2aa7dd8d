package dev.tandem.batch.mapreduce;

import java.nio.charset.StandardCharsets;

/** Reads what {@link BinaryWriter} wrote, from a slice of a byte array. */
public final class BinaryReader {

    private byte[] buf;
    private int pos;
    private int end;

    public BinaryReader() {
    }

    public BinaryReader(byte[] b, int off, int len) {
        reset(b, off, len);
    }

    public BinaryReader reset(byte[] b, int off, int len) {
        buf = b;
        pos = off;
        end = off + len;
        return this;
    }

    public int position() {
        return pos;
    }

    public int remaining() {
        return end - pos;
    }

    private void need(int n) {
        if (pos + n > end) {
            throw new IllegalArgumentException("corrupt record: needs " + n + " more bytes, has " + (end - pos));
        }
    }

    public int readByte() {
        need(1);
        return buf[pos++] & 0xFF;
    }

    public byte[] readBytes(int n) {
        need(n);
        byte[] b = new byte[n];
        System.arraycopy(buf, pos, b, 0, n);
        pos += n;
        return b;
    }

    public long readVarLong() {
        long v = 0;
        int shift = 0;
        while (true) {
            int b = readByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
            shift += 7;
            if (shift > 63) {
                throw new IllegalArgumentException("corrupt varint");
            }
        }
    }

    public long readZigZag() {
        long v = readVarLong();
        return (v >>> 1) ^ -(v & 1);
    }

    public String readString() {
        int n = (int) readVarLong();
        need(n);
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    public String readNullableString() {
        long n = readVarLong();
        if (n == 0) {
            return null;
        }
        int len = (int) (n - 1);
        need(len);
        String s = new String(buf, pos, len, StandardCharsets.UTF_8);
        pos += len;
        return s;
    }

    public byte[] readLengthPrefixed() {
        return readBytes((int) readVarLong());
    }

    public String readOrderedString() {
        byte[] out = new byte[Math.max(0, end - pos)];
        int n = 0;
        while (true) {
            int b = readByte();
            if (b == 0) {
                int next = readByte();
                if (next == 1) {
                    return new String(out, 0, n, StandardCharsets.UTF_8);
                }
                if (next != 0xFF) {
                    throw new IllegalArgumentException("corrupt ordered string");
                }
                out[n++] = 0;
            } else {
                out[n++] = (byte) b;
            }
        }
    }

    public long readOrderedLong() {
        need(8);
        long u = 0;
        for (int i = 0; i < 8; i++) {
            u = (u << 8) | (buf[pos++] & 0xFF);
        }
        return u ^ Long.MIN_VALUE;
    }

    /** Length of the ordered string starting at {@code off} in {@code b}, terminator included. */
    public static int orderedStringLength(byte[] b, int off, int limit) {
        int i = off;
        while (i + 1 < limit) {
            if (b[i] == 0) {
                if (b[i + 1] == 1) {
                    return i + 2 - off;
                }
                i += 2;
            } else {
                i++;
            }
        }
        throw new IllegalArgumentException("unterminated ordered string");
    }
}
