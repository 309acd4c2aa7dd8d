package dev.tandem.batch.mapreduce;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer with the engine's two encodings: compact ones for values (varints,
 * length-prefixed strings) and order-preserving ones for keys, whose bytes compare (unsigned,
 * lexicographically) in the same order as the values they encode.
 */
public final class BinaryWriter {

    private byte[] buf;
    private int size;

    public BinaryWriter() {
        this(64);
    }

    public BinaryWriter(int initial) {
        buf = new byte[Math.max(16, initial)];
    }

    public void reset() {
        size = 0;
    }

    public int size() {
        return size;
    }

    /** The backing array; valid bytes are [0, size()). */
    public byte[] bytes() {
        return buf;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    private void ensure(int extra) {
        if (size + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
        }
    }

    public BinaryWriter writeByte(int b) {
        ensure(1);
        buf[size++] = (byte) b;
        return this;
    }

    public BinaryWriter writeBytes(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, size, len);
        size += len;
        return this;
    }

    // ---- compact (values) ---------------------------------------------------------------

    /** Unsigned LEB128 varint. */
    public BinaryWriter writeVarLong(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[size++] = (byte) v;
        return this;
    }

    /** Zig-zag varint: small negative numbers stay small. */
    public BinaryWriter writeZigZag(long v) {
        return writeVarLong((v << 1) ^ (v >> 63));
    }

    /** A length-prefixed UTF-8 string. */
    public BinaryWriter writeString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writeVarLong(b.length);
        return writeBytes(b, 0, b.length);
    }

    /** A string or null: 0 for null, else length + 1, then the UTF-8 bytes. */
    public BinaryWriter writeNullableString(String s) {
        if (s == null) {
            return writeVarLong(0);
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writeVarLong(b.length + 1L);
        return writeBytes(b, 0, b.length);
    }

    public BinaryWriter writeLengthPrefixed(byte[] b) {
        writeVarLong(b.length);
        return writeBytes(b, 0, b.length);
    }

    // ---- order-preserving (keys) --------------------------------------------------------

    /**
     * A string whose encoding sorts like the string's code points and is self-delimiting, so
     * composite keys can follow it: UTF-8 with 0x00 escaped as 0x00 0xFF, terminated by 0x00 0x01.
     */
    public BinaryWriter writeOrderedString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        ensure(b.length + 2);
        for (byte x : b) {
            if (x == 0) {
                ensure(b.length + 3);
                buf[size++] = 0;
                buf[size++] = (byte) 0xFF;
            } else {
                buf[size++] = x;
            }
        }
        buf[size++] = 0;
        buf[size++] = 1;
        return this;
    }

    /** A long as 8 big-endian bytes with the sign bit flipped: sorts like the number. */
    public BinaryWriter writeOrderedLong(long v) {
        ensure(8);
        long u = v ^ Long.MIN_VALUE;
        for (int i = 7; i >= 0; i--) {
            buf[size++] = (byte) (u >>> (8 * i));
        }
        return this;
    }
}
