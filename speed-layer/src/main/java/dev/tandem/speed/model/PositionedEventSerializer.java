package dev.tandem.speed.model;

import dev.tandem.core.event.EventType;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/**
 * A hand-written serializer for {@link PositionedEvent}: the record that crosses both keyed
 * exchanges (decode → dedup, dedup → join) and waits in checkpoints. Flink's POJO serializer reads
 * each field by reflection and writes a null flag per field; this one writes the fields in a fixed
 * order (strings with {@link StringValue#writeString}, which encodes null), one byte for the type.
 * (Writing and reading ASCII strings as one block of bytes was tried in session 7: a little less
 * CPU, but a temporary byte array per string: ~15 % more allocation by the job's threads, JFR; docs/BENCHMARKS.md.)
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
        StringValue.writeString(e.eventId, out);
        out.writeLong(e.eventTime);
        StringValue.writeString(e.userId, out);
        StringValue.writeString(e.region, out);
        StringValue.writeString(e.campaignId, out);
        StringValue.writeString(e.adId, out);
        StringValue.writeString(e.impressionId, out);
        StringValue.writeString(e.orderId, out);
        if (e.totalMinor == null) {
            out.writeBoolean(false);
        } else {
            out.writeBoolean(true);
            out.writeLong(e.totalMinor);
        }
        StringValue.writeString(e.query, out);
        StringValue.writeString(e.currency, out);
        out.writeLong(e.ingestTime);
        out.writeInt(e.partition);
        out.writeLong(e.offset);
    }

    @Override
    public PositionedEvent deserialize(DataInputView in) throws IOException {
        PositionedEvent p = new PositionedEvent();
        int type = in.readByte();
        p.eventType = type < 0 ? null : TYPES[type];
        p.eventId = StringValue.readString(in);
        p.eventTime = in.readLong();
        p.userId = StringValue.readString(in);
        p.region = StringValue.readString(in);
        p.campaignId = StringValue.readString(in);
        p.adId = StringValue.readString(in);
        p.impressionId = StringValue.readString(in);
        p.orderId = StringValue.readString(in);
        p.totalMinor = in.readBoolean() ? in.readLong() : null;
        p.query = StringValue.readString(in);
        p.currency = StringValue.readString(in);
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

    /** The serializer has no configuration: its snapshot only names it. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<PositionedEvent> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
