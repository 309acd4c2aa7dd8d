package dev.tandem.batch.mapreduce;

import java.nio.charset.StandardCharsets;

/** Ready-made serializers and key codecs. */
public final class Serdes {

    private Serdes() {
    }

    /** Keys: a string as its raw UTF-8 bytes (order = code point order); the key's length delimits it. */
    public static final KeyCodec<String> UTF8_KEY = new KeyCodec<>() {
        @Override
        public void write(String value, BinaryWriter out) {
            byte[] b = value.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(b, 0, b.length);
        }

        @Override
        public String read(BinaryReader in) {
            return new String(in.readBytes(in.remaining()), StandardCharsets.UTF_8);
        }
    };

    /** Keys: a long, ordered numerically. */
    public static final KeyCodec<Long> LONG_KEY = new KeyCodec<>() {
        @Override
        public void write(Long value, BinaryWriter out) {
            out.writeOrderedLong(value);
        }

        @Override
        public Long read(BinaryReader in) {
            return in.readOrderedLong();
        }
    };

    /** Values: a zig-zag varint long (1 byte for counts below 64). */
    public static final Serde<Long> VARLONG = new Serde<>() {
        @Override
        public void write(Long value, BinaryWriter out) {
            out.writeZigZag(value);
        }

        @Override
        public Long read(BinaryReader in) {
            return in.readZigZag();
        }
    };

    /** Values: a length-prefixed string. */
    public static final Serde<String> STRING = new Serde<>() {
        @Override
        public void write(String value, BinaryWriter out) {
            out.writeString(value);
        }

        @Override
        public String read(BinaryReader in) {
            return in.readString();
        }
    };

    /** Values: raw bytes (the record's value length delimits them). */
    public static final Serde<byte[]> BYTES = new Serde<>() {
        @Override
        public void write(byte[] value, BinaryWriter out) {
            out.writeBytes(value, 0, value.length);
        }

        @Override
        public byte[] read(BinaryReader in) {
            return in.readBytes(in.remaining());
        }
    };
}
