package dev.tandem.batch.spark;

import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.Views;

import java.io.Externalizable;
import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;

/**
 * Carries a core {@link Aggregate} through Spark shuffles. Aggregates are not serializable (they
 * hold sketches); on the wire this is the view name plus core's own {@link Aggregate#toBytes}
 * encoding, so a shuffled aggregate is exactly the aggregate core would rebuild.
 */
public final class AggregateBox implements Externalizable {

    private static final long serialVersionUID = 1L;

    private Aggregate aggregate;

    /** For deserialization only. */
    public AggregateBox() {
    }

    public AggregateBox(Aggregate aggregate) {
        this.aggregate = aggregate;
    }

    public Aggregate aggregate() {
        return aggregate;
    }

    /** {@code a ⊕= b} through core's monoid; returns {@code a} (Spark owns both values). */
    public static AggregateBox merge(AggregateBox a, AggregateBox b) {
        a.aggregate.merge(b.aggregate);
        return a;
    }

    @Override
    public void writeExternal(ObjectOutput out) throws IOException {
        out.writeUTF(aggregate.view().name());
        byte[] bytes = aggregate.toBytes();
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    @Override
    public void readExternal(ObjectInput in) throws IOException {
        String view = in.readUTF();
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        aggregate = Aggregate.fromBytes(Views.byName(view), bytes);
    }

    @Override
    public String toString() {
        return String.valueOf(aggregate);
    }
}
