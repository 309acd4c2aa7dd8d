package dev.tandem.batch.spark;

import dev.tandem.core.view.Hll;
import org.apache.datasketches.hll.HllSketch;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.expressions.Aggregator;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;

/**
 * A distinct metric as a Spark aggregate: core's {@link Hll} sketch of the non-null strings, as
 * its compact bytes. Spark keeps the buffer as an object while aggregating and serializes it only
 * between the partial and the final aggregation, so each item costs one sketch update.
 */
public final class HllAggregator extends Aggregator<String, HllAggregator.Sketch, byte[]> {

    /** The aggregation buffer: a sketch, serialized as core's compact bytes. */
    public static final class Sketch implements Serializable {
        private static final long serialVersionUID = 1L;
        private transient HllSketch sketch = Hll.newSketch();

        private void writeObject(ObjectOutputStream out) throws IOException {
            byte[] b = Hll.toBytes(sketch);
            out.writeInt(b.length);
            out.write(b);
        }

        private void readObject(ObjectInputStream in) throws IOException {
            byte[] b = new byte[in.readInt()];
            in.readFully(b);
            sketch = Hll.fromBytes(b);
        }
    }

    @Override
    public Sketch zero() {
        return new Sketch();
    }

    @Override
    public Sketch reduce(Sketch buffer, String item) {
        if (item != null) {
            buffer.sketch.update(item);
        }
        return buffer;
    }

    @Override
    public Sketch merge(Sketch a, Sketch b) {
        a.sketch = Hll.union(a.sketch, b.sketch);
        return a;
    }

    @Override
    public byte[] finish(Sketch buffer) {
        return Hll.toBytes(buffer.sketch);
    }

    @Override
    public Encoder<Sketch> bufferEncoder() {
        return Encoders.javaSerialization(Sketch.class);
    }

    @Override
    public Encoder<byte[]> outputEncoder() {
        return Encoders.BINARY();
    }
}
