package dev.tandem.core.view;

import org.apache.datasketches.hll.HllSketch;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The metric values of one view row, one slot per metric of the view, combined with the metrics'
 * monoids. Mutable on purpose: engines fold millions of facts into it. Two aggregates are equal
 * when every count and sum is equal and every sketch has the same (composite) estimate.
 */
public final class Aggregate {

    private final ViewDefinition view;
    private final long[] longs;
    private final HllSketch[] sketches;

    Aggregate(ViewDefinition view) {
        this.view = view;
        int n = view.metrics().size();
        this.longs = new long[n];
        this.sketches = new HllSketch[n];
        for (int i = 0; i < n; i++) {
            if (view.metrics().get(i).kind() == MetricKind.DISTINCT) {
                sketches[i] = Hll.newSketch();
            }
        }
    }

    public ViewDefinition view() {
        return view;
    }

    /** Folds one fact in; facts of kinds no metric reads change nothing. */
    public Aggregate add(Fact f) {
        List<MetricDefinition> metrics = view.metrics();
        for (int i = 0; i < metrics.size(); i++) {
            MetricDefinition m = metrics.get(i);
            if (m.source() != f.kind()) {
                continue;
            }
            switch (m.kind()) {
                case COUNT -> longs[i] += 1;
                case SUM -> longs[i] += m.field().longValue(f);
                case DISTINCT -> sketches[i].update(m.field().stringValue(f));
                default -> throw new AssertionError(m.kind());
            }
        }
        return this;
    }

    /** this ⊕= other. */
    public Aggregate merge(Aggregate other) {
        if (other.view != view) {
            throw new IllegalArgumentException("cannot merge " + other.view.name() + " into " + view.name());
        }
        for (int i = 0; i < longs.length; i++) {
            if (sketches[i] != null) {
                sketches[i] = Hll.union(sketches[i], other.sketches[i]);
            } else {
                longs[i] += other.longs[i];
            }
        }
        return this;
    }

    public Aggregate copy() {
        return view.zero().merge(this);
    }

    public long longValue(String metric) {
        int i = view.metricIndex(metric);
        if (sketches[i] != null) {
            throw new IllegalArgumentException(metric + " is a distinct metric");
        }
        return longs[i];
    }

    public HllSketch sketch(String metric) {
        int i = view.metricIndex(metric);
        if (sketches[i] == null) {
            throw new IllegalArgumentException(metric + " is not a distinct metric");
        }
        return sketches[i];
    }

    /** Sets a count or sum (engines rebuilding an aggregate from stored rows). */
    public Aggregate setLong(String metric, long value) {
        int i = view.metricIndex(metric);
        if (sketches[i] != null) {
            throw new IllegalArgumentException(metric + " is a distinct metric");
        }
        longs[i] = value;
        return this;
    }

    /** Sets a sketch from its compact bytes (engines rebuilding an aggregate from stored rows). */
    public Aggregate setSketch(String metric, byte[] compact) {
        int i = view.metricIndex(metric);
        if (sketches[i] == null) {
            throw new IllegalArgumentException(metric + " is not a distinct metric");
        }
        sketches[i] = Hll.fromBytes(compact);
        return this;
    }

    /**
     * The values in metric order: counts and sums, and for sketches the rounded composite
     * estimate ({@link Hll#estimateCount}).
     */
    public List<Long> values() {
        List<Long> out = new ArrayList<>(longs.length);
        for (int i = 0; i < longs.length; i++) {
            out.add(sketches[i] != null ? Hll.estimateCount(sketches[i]) : longs[i]);
        }
        return out;
    }

    /** The value of one metric; a distinct metric gives its rounded estimate. */
    public long value(String metric) {
        return values().get(view.metricIndex(metric));
    }

    public boolean isZero() {
        for (int i = 0; i < longs.length; i++) {
            if (sketches[i] != null ? !sketches[i].isEmpty() : longs[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** A compact, engine-neutral encoding (longs, then sketches as length-prefixed bytes). */
    public byte[] toBytes() {
        try {
            ByteArrayOutputStream bos = new ByteArrayOutputStream(16 + 8 * longs.length);
            DataOutputStream out = new DataOutputStream(bos);
            for (int i = 0; i < longs.length; i++) {
                if (sketches[i] != null) {
                    byte[] b = Hll.toBytes(sketches[i]);
                    out.writeInt(b.length);
                    out.write(b);
                } else {
                    out.writeLong(longs[i]);
                }
            }
            out.flush();
            return bos.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Aggregate fromBytes(ViewDefinition view, byte[] bytes) {
        Aggregate a = new Aggregate(view);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            for (int i = 0; i < a.longs.length; i++) {
                if (a.sketches[i] != null) {
                    byte[] b = new byte[in.readInt()];
                    in.readFully(b);
                    a.sketches[i] = Hll.fromBytes(b);
                } else {
                    a.longs[i] = in.readLong();
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("corrupt aggregate bytes for " + view.name(), e);
        }
        return a;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Aggregate other && other.view == view && other.values().equals(values());
    }

    @Override
    public int hashCode() {
        return view.name().hashCode() * 31 + values().hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        List<Long> vs = values();
        for (int i = 0; i < vs.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(view.metrics().get(i).name()).append('=').append(vs.get(i));
        }
        return sb.append('}').toString();
    }
}
