package dev.tandem.batch.mapreduce.jobs;

import dev.tandem.batch.mapreduce.BinaryReader;
import dev.tandem.batch.mapreduce.BinaryWriter;
import dev.tandem.batch.mapreduce.KeyCodec;
import dev.tandem.batch.mapreduce.Serde;
import dev.tandem.core.event.Event;
import dev.tandem.core.event.EventType;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.view.Fact;
import dev.tandem.core.view.FactKind;
import dev.tandem.core.view.ViewKey;

import java.util.ArrayList;
import java.util.List;

/** The compact binary encodings of the view jobs' keys and values. */
public final class ViewSerdes {

    private ViewSerdes() {
    }

    private static final EventType[] TYPES = EventType.values();
    private static final FactKind[] KINDS = FactKind.values();

    /** An event with its log position: strings length-prefixed, numbers as varints. */
    public static final Serde<IngestedEvent> EVENT = new Serde<>() {
        @Override
        public void write(IngestedEvent ie, BinaryWriter out) {
            Event e = ie.event();
            out.writeNullableString(e.eventId());
            out.writeByte(e.eventType() == null ? 255 : e.eventType().ordinal());
            out.writeZigZag(e.eventTime());
            out.writeNullableString(e.userId());
            out.writeNullableString(e.region());
            out.writeNullableString(e.campaignId());
            out.writeNullableString(e.adId());
            out.writeNullableString(e.impressionId());
            out.writeNullableString(e.orderId());
            if (e.totalMinor() == null) {
                out.writeByte(0);
            } else {
                out.writeByte(1).writeZigZag(e.totalMinor());
            }
            out.writeNullableString(e.query());
            out.writeNullableString(e.currency());
            out.writeZigZag(ie.ingestTime());
            out.writeVarLong(ie.partition());
            out.writeVarLong(ie.offset());
        }

        @Override
        public IngestedEvent read(BinaryReader in) {
            Event.Builder b = Event.builder().eventId(in.readNullableString());
            int t = in.readByte();
            b.eventType(t == 255 ? null : TYPES[t]).eventTime(in.readZigZag()).userId(in.readNullableString())
                    .region(in.readNullableString()).campaignId(in.readNullableString()).adId(in.readNullableString())
                    .impressionId(in.readNullableString()).orderId(in.readNullableString());
            b.totalMinor(in.readByte() == 0 ? null : in.readZigZag());
            b.query(in.readNullableString()).currency(in.readNullableString());
            long ingest = in.readZigZag();
            int partition = (int) in.readVarLong();
            long offset = in.readVarLong();
            return new IngestedEvent(b.build(), ingest, partition, offset);
        }
    };

    /** A view fact. */
    public static final Serde<Fact> FACT = new Serde<>() {
        @Override
        public void write(Fact f, BinaryWriter out) {
            out.writeByte(f.kind().ordinal());
            out.writeZigZag(f.eventTime());
            out.writeZigZag(f.tag());
            out.writeNullableString(f.userId());
            out.writeNullableString(f.campaignId());
            out.writeNullableString(f.region());
            out.writeNullableString(f.currency());
            out.writeZigZag(f.totalMinor());
            out.writeNullableString(f.query());
        }

        @Override
        public Fact read(BinaryReader in) {
            return new Fact(KINDS[in.readByte()], in.readZigZag(), in.readZigZag(), in.readNullableString(),
                    in.readNullableString(), in.readNullableString(), in.readNullableString(), in.readZigZag(),
                    in.readNullableString());
        }
    };

    /** A row of one view: the view's name and the row's key. */
    public record ViewSlot(String view, ViewKey key) {
    }

    /** (view, dims…, bucket), order-preserving and self-delimiting. */
    public static final KeyCodec<ViewSlot> VIEW_SLOT = new KeyCodec<>() {
        @Override
        public void write(ViewSlot s, BinaryWriter out) {
            out.writeOrderedString(s.view());
            out.writeByte(s.key().dims().size());
            for (String d : s.key().dims()) {
                out.writeOrderedString(d);
            }
            out.writeOrderedLong(s.key().bucketStart());
        }

        @Override
        public ViewSlot read(BinaryReader in) {
            String view = in.readOrderedString();
            int n = in.readByte();
            List<String> dims = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                dims.add(in.readOrderedString());
            }
            return new ViewSlot(view, new ViewKey(dims, in.readOrderedLong()));
        }
    };

    /**
     * The attribution join key: (impression_id, role, log position); impressions (role 0) sort
     * before clicks (role 1) and each side in log order, while grouping and partitioning use the
     * impression_id alone (a secondary sort).
     */
    public record JoinKey(String impressionId, int role, long ingestTime, int partition, long offset) {
    }

    public static final KeyCodec<JoinKey> JOIN_KEY = new KeyCodec<>() {
        @Override
        public void write(JoinKey k, BinaryWriter out) {
            out.writeOrderedString(k.impressionId());
            out.writeByte(k.role());
            out.writeOrderedLong(k.ingestTime());
            out.writeOrderedLong(k.partition());
            out.writeOrderedLong(k.offset());
        }

        @Override
        public JoinKey read(BinaryReader in) {
            return new JoinKey(in.readOrderedString(), in.readByte(), in.readOrderedLong(), (int) in.readOrderedLong(),
                    in.readOrderedLong());
        }

        @Override
        public int groupLength(byte[] key, int off, int len) {
            return BinaryReader.orderedStringLength(key, off, off + len);
        }
    };
}
