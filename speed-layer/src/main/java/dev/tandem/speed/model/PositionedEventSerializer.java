package dev.tandem.speed.model;

import dev.tandem.core.event.EventType;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A hand-written serializer for {@link PositionedEvent}: the record that crosses both keyed
 * exchanges (decode → dedup, dedup → join) and waits in checkpoints. Flink's POJO serializer reads
 * each field by reflection and writes a null flag per field; this one writes the fields in a fixed
 * order (strings in {@link StringValue#writeString}'s format, which encodes null), one byte for the type.
 * ASCII strings — nearly all of them — are written and read as one block of bytes
 * ({@link #writeString}, {@link #readString}): the same bytes, so old snapshots read unchanged.
 */
public final class PositionedEventSerializer extends TypeSerializerSingleton<PositionedEvent> {

    private static final long serialVersionUID = 1L;
    public static final PositionedEventSerializer INSTANCE = new PositionedEventSerializer();
    private static final EventType[] TYPES = EventType.values();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public PositionedEvent createInstance() {
        return new PositionedEvent();
    }

    @Override
    public PositionedEvent copy(PositionedEvent f) {
        PositionedEvent p = new PositionedEvent();
        p.eventId = f.eventId;
        p.eventType = f.eventType;
        p.eventTime = f.eventTime;
        p.userId = f.userId;
        p.region = f.region;
        p.campaignId = f.campaignId;
        p.adId = f.adId;
        p.impressionId = f.impressionId;
        p.orderId = f.orderId;
        p.totalMinor = f.totalMinor;
        p.query = f.query;
        p.currency = f.currency;
        p.ingestTime = f.ingestTime;
        p.partition = f.partition;
        p.offset = f.offset;
        return p;
    }

    @Override
    public PositionedEvent copy(PositionedEvent from, PositionedEvent reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(PositionedEvent e, DataOutputView out) throws IOException {
        out.writeByte(e.eventType == null ? -1 : e.eventType.ordinal());
        writeString(e.eventId, out);
        out.writeLong(e.eventTime);
        writeString(e.userId, out);
        writeString(e.region, out);
        writeString(e.campaignId, out);
        writeString(e.adId, out);
        writeString(e.impressionId, out);
        writeString(e.orderId, out);
        if (e.totalMinor == null) {
            out.writeBoolean(false);
        } else {
            out.writeBoolean(true);
            out.writeLong(e.totalMinor);
        }
        writeString(e.query, out);
        writeString(e.currency, out);
        out.writeLong(e.ingestTime);
        out.writeInt(e.partition);
        out.writeLong(e.offset);
    }

    @Override
    public PositionedEvent deserialize(DataInputView in) throws IOException {
        PositionedEvent p = new PositionedEvent();
        int type = in.readByte();
        p.eventType = type < 0 ? null : TYPES[type];
        p.eventId = readString(in);
        p.eventTime = in.readLong();
        p.userId = readString(in);
        p.region = readString(in);
        p.campaignId = readString(in);
        p.adId = readString(in);
        p.impressionId = readString(in);
        p.orderId = readString(in);
        p.totalMinor = in.readBoolean() ? in.readLong() : null;
        p.query = readString(in);
        p.currency = readString(in);
        p.ingestTime = in.readLong();
        p.partition = in.readInt();
        p.offset = in.readLong();
        return p;
    }

    @Override
    public PositionedEvent deserialize(PositionedEvent reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<PositionedEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /**
     * Writes {@code s} exactly as {@link StringValue#writeString} does (length + 1 as a varint, 0 for
     * null, then each char as a varint); an ASCII string's chars are one byte each, written in one
     * block instead of byte by byte.
     */
    static void writeString(String s, DataOutputView out) throws IOException {
        if (s == null) {
            out.write(0);
            return;
        }
        int len = s.length();
        for (int i = 0; i < len; i++) {
            if (s.charAt(i) >= 0x80) {
                StringValue.writeString(s, out);
                return;
            }
        }
        writeVarint(len + 1, out);
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static void writeVarint(int v, DataOutputView out) throws IOException {
        while (v >= 0x80) {
            out.write(v & 0x7f | 0x80);
            v >>>= 7;
        }
        out.write(v);
    }

    /**
     * Reads what {@link StringValue#writeString} wrote, without {@link StringValue#readString}'s
     * thread-local buffer (a look-up in the task thread's crowded thread-local map per string) and
     * its call per byte: the string's length in bytes is read in one block — exactly its chars if
     * they are ASCII, and never more than it has (every char takes at least one byte); otherwise
     * decoding goes on past the block.
     */
    static String readString(DataInputView in) throws IOException {
        int len = readVarint(in, in.readUnsignedByte());
        if (len == 0) {
            return null;
        }
        len--;
        if (len == 0) {
            return "";
        }
        byte[] bytes = new byte[len];
        in.readFully(bytes);
        int ascii = 0;
        while (ascii < len && bytes[ascii] >= 0) {
            ascii++;
        }
        if (ascii == len) {
            return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
        }
        char[] chars = new char[len];
        for (int i = 0; i < ascii; i++) {
            chars[i] = (char) bytes[i];
        }
        int p = ascii;
        for (int n = ascii; n < len; n++) {
            int c = p < len ? bytes[p++] & 0xff : in.readUnsignedByte();
            if (c >= 0x80) {
                int shift = 7;
                c &= 0x7f;
                int b;
                while ((b = p < len ? bytes[p++] & 0xff : in.readUnsignedByte()) >= 0x80) {
                    c |= (b & 0x7f) << shift;
                    shift += 7;
                }
                c |= b << shift;
            }
            chars[n] = (char) c;
        }
        return new String(chars);
    }

    private static int readVarint(DataInputView in, int first) throws IOException {
        if (first < 0x80) {
            return first;
        }
        int v = first & 0x7f;
        int shift = 7;
        int b;
        while ((b = in.readUnsignedByte()) >= 0x80) {
            v |= (b & 0x7f) << shift;
            shift += 7;
        }
        return v | b << shift;
    }

    /** The serializer has no configuration: its snapshot only names it. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<PositionedEvent> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
