package dev.tandem.core.view;

import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The row layout of batch views in Parquet (DESIGN §5), derived from the view definition so every
 * engine writes and the serving layer reads the same columns: the dimensions as strings,
 * {@code bucket_start} (timestamp-millis UTC), counts and sums as longs, and each distinct metric
 * as the compact bytes of its HLL sketch in {@code <metric>_sketch}.
 */
public final class BatchViewSchema {

    public static final String BUCKET_START = "bucket_start";

    private BatchViewSchema() {
    }

    public static Schema avroSchema(ViewDefinition view) {
        SchemaBuilder.FieldAssembler<Schema> f = SchemaBuilder.record(view.name()).namespace("dev.tandem.views").fields();
        for (Dimension d : view.dimensions()) {
            f = f.requiredString(d.name());
        }
        Schema ts = LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
        f = f.name(BUCKET_START).type(ts).noDefault();
        for (MetricDefinition m : view.metrics()) {
            f = m.kind() == MetricKind.DISTINCT ? f.requiredBytes(m.column()) : f.requiredLong(m.column());
        }
        return f.endRecord();
    }

    /** Column names in schema order. */
    public static List<String> columns(ViewDefinition view) {
        List<String> cols = new ArrayList<>(view.dimensionNames());
        cols.add(BUCKET_START);
        view.metrics().forEach(m -> cols.add(m.column()));
        return cols;
    }

    public static GenericRecord toRecord(ViewDefinition view, Schema schema, ViewKey key, Aggregate a) {
        GenericData.Record r = new GenericData.Record(schema);
        for (int i = 0; i < view.dimensions().size(); i++) {
            r.put(view.dimensions().get(i).name(), key.dims().get(i));
        }
        r.put(BUCKET_START, key.bucketStart());
        for (MetricDefinition m : view.metrics()) {
            r.put(m.column(), m.kind() == MetricKind.DISTINCT
                    ? ByteBuffer.wrap(Hll.toBytes(a.sketch(m.name())))
                    : a.longValue(m.name()));
        }
        return r;
    }

    public static ViewKey keyOf(ViewDefinition view, GenericRecord r) {
        List<String> dims = new ArrayList<>(view.dimensions().size());
        for (Dimension d : view.dimensions()) {
            dims.add(r.get(d.name()).toString());
        }
        return new ViewKey(dims, epochMillis(r.get(BUCKET_START)));
    }

    /**
     * A timestamp-millis value as epoch millis: plain Avro gives a Long, parquet-avro's reader
     * (with logical-type conversions) an Instant.
     */
    public static long epochMillis(Object v) {
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof java.time.Instant i) {
            return i.toEpochMilli();
        }
        throw new IllegalArgumentException("not a timestamp-millis value: " + v);
    }

    public static Aggregate aggregateOf(ViewDefinition view, GenericRecord r) {
        Aggregate a = view.zero();
        for (MetricDefinition m : view.metrics()) {
            Object v = r.get(m.column());
            if (m.kind() == MetricKind.DISTINCT) {
                ByteBuffer buf = ((ByteBuffer) v).duplicate();
                byte[] b = new byte[buf.remaining()];
                buf.get(b);
                a.setSketch(m.name(), b);
            } else {
                a.setLong(m.name(), (Long) v);
            }
        }
        return a;
    }
}
