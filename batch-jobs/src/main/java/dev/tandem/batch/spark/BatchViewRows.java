package dev.tandem.batch.spark;

import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.BatchViewSchema;
import dev.tandem.core.view.Dimension;
import dev.tandem.core.view.Hll;
import dev.tandem.core.view.MetricDefinition;
import dev.tandem.core.view.MetricKind;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewKey;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/**
 * Batch view rows as Spark rows, in core's {@link BatchViewSchema} layout: the dims (strings),
 * {@code bucket_start} (a timestamp written as Parquet TIMESTAMP_MILLIS), counts and sums as
 * longs, and each distinct metric as the compact HLL bytes ({@link Hll#toBytes}) in
 * {@code <metric>_sketch}. Column names and order come from {@link BatchViewSchema#columns}.
 */
public final class BatchViewRows {

    private BatchViewRows() {
    }

    public static StructType schema(ViewDefinition view) {
        List<StructField> fields = new ArrayList<>();
        for (Dimension d : view.dimensions()) {
            fields.add(DataTypes.createStructField(d.name(), DataTypes.StringType, false));
        }
        fields.add(DataTypes.createStructField(BatchViewSchema.BUCKET_START, DataTypes.TimestampType, false));
        for (MetricDefinition m : view.metrics()) {
            fields.add(DataTypes.createStructField(m.column(),
                    m.kind() == MetricKind.DISTINCT ? DataTypes.BinaryType : DataTypes.LongType, false));
        }
        StructType st = DataTypes.createStructType(fields);
        if (!List.of(st.fieldNames()).equals(BatchViewSchema.columns(view))) {
            throw new IllegalStateException("Spark layout drifted from BatchViewSchema for " + view.name());
        }
        return st;
    }

    public static Row toRow(ViewDefinition view, ViewKey key, Aggregate a) {
        Object[] values = new Object[view.dimensions().size() + 1 + view.metrics().size()];
        int i = 0;
        for (String d : key.dims()) {
            values[i++] = d;
        }
        values[i++] = new Timestamp(key.bucketStart());
        for (MetricDefinition m : view.metrics()) {
            values[i++] = m.kind() == MetricKind.DISTINCT ? Hll.toBytes(a.sketch(m.name())) : a.longValue(m.name());
        }
        return RowFactory.create(values);
    }

    /** Reads a stored row back into core's key and aggregate (what an incremental run starts from). */
    public static Tuple2<ViewKey, Aggregate> fromRow(ViewDefinition view, Row r) {
        List<String> dims = new ArrayList<>(view.dimensions().size());
        for (Dimension d : view.dimensions()) {
            dims.add(r.getAs(d.name()));
        }
        ViewKey key = new ViewKey(dims, MasterRows.millis(r.getAs(BatchViewSchema.BUCKET_START)));
        Aggregate a = view.zero();
        for (MetricDefinition m : view.metrics()) {
            if (m.kind() == MetricKind.DISTINCT) {
                a.setSketch(m.name(), r.<byte[]>getAs(m.column()));
            } else {
                a.setLong(m.name(), r.<Long>getAs(m.column()));
            }
        }
        return new Tuple2<>(key, a);
    }
}
