package dev.tandem.batch.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.rules.Rule;
import org.apache.spark.sql.execution.ColumnarRule;
import org.apache.spark.sql.execution.ColumnarToRowExec;
import org.apache.spark.sql.execution.ColumnarToRowTransition;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.adaptive.TableCacheQueryStageExec;
import org.apache.spark.sql.execution.columnar.InMemoryTableScanExec;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.columnar.CachedBatch;
import org.apache.spark.sql.columnar.CachedBatchSerializer;
import org.apache.spark.sql.execution.columnar.DefaultCachedBatchSerializer;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarArray;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.sql.vectorized.ColumnarMap;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;
import org.apache.spark.util.KnownSizeEstimation;
import scala.Function2;
import scala.Option;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A cache format for {@code Dataset.persist} that later scans read as column vectors, strings
 * included. Spark's default format keeps per-value column statistics while it builds a batch and
 * hands string columns back only row by row (its vectorized cache reader covers numeric columns
 * only), so a job that caches a wide string table and scans it several times — the batch job's
 * validated log rows — pays for both on every row. Here a batch is plain arrays per column (one byte
 * array plus offsets for a string column) and a scan wraps them in read-only {@link ColumnVector}s
 * without copying; {@link ReadAsColumns} makes Spark read them as vectors. No statistics are kept,
 * so cached batches are never skipped by a filter; the jobs filter on columns that no batch could
 * be skipped on anyway.
 *
 * <p>A relation with a column type not listed in {@link #kindOf} is cached by Spark's default
 * serializer, as before. Spark reads the serializer and the extensions once per session from
 * {@value #CONF} and {@value #EXTENSIONS_CONF} (static settings): {@link #install} them on the
 * session builder.
 */
public final class ColumnarCache implements CachedBatchSerializer {

    private static final long serialVersionUID = 1L;

    /** Spark's static setting naming the cache serializer. */
    public static final String CONF = "spark.sql.cache.serializer";

    private final DefaultCachedBatchSerializer fallback = new DefaultCachedBatchSerializer();

    /** Spark's static setting naming session extensions. */
    public static final String EXTENSIONS_CONF = "spark.sql.extensions";

    /**
     * Sets this serializer, and the {@link ReadAsColumns} rule that lets scans of it be read as
     * columns, on a session that is about to be built.
     */
    public static SparkSession.Builder install(SparkSession.Builder builder) {
        // spark-submit's --conf arrives as system properties, which the builder's settings override:
        // keep a serializer chosen there, and add to extensions named there
        return builder.config(CONF, System.getProperty(CONF, ColumnarCache.class.getName()))
                .config(EXTENSIONS_CONF, extensionsWith(System.getProperty(EXTENSIONS_CONF)));
    }

    /** A {@value #EXTENSIONS_CONF} value: the given list (may be null) plus {@link Extensions}. */
    public static String extensionsWith(String extensions) {
        String ours = Extensions.class.getName();
        if (extensions == null || extensions.isBlank()) {
            return ours;
        }
        return Arrays.asList(extensions.split("\\s*,\\s*")).contains(ours) ? extensions : extensions + "," + ours;
    }

    /** The session extension ({@value #EXTENSIONS_CONF}) that adds {@link ReadAsColumns}. */
    public static final class Extensions extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> implements Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public BoxedUnit apply(SparkSessionExtensions extensions) {
            extensions.injectColumnar(new AbstractFunction1<SparkSession, ColumnarRule>() {
                @Override
                public ColumnarRule apply(SparkSession session) {
                    return new ColumnarRule() {
                        @Override
                        public Rule<SparkPlan> postColumnarTransitions() {
                            return new ReadAsColumns();
                        }
                    };
                }
            });
            return BoxedUnit.UNIT;
        }
    }

    /**
     * Spark reads a cache row by row whenever the operator above it takes rows, even when the cache
     * could hand out column vectors ({@code InMemoryTableScanExec} declares it supports both, so no
     * transition is planned), and every row is then copied out of the batch. This rule puts a
     * {@link ColumnarToRowExec} over each scan of a relation cached by this serializer: the
     * generated code of the stage then reads the vectors in a loop, as it does for a Parquet scan.
     */
    static final class ReadAsColumns extends Rule<SparkPlan> {
        @Override
        public SparkPlan apply(SparkPlan plan) {
            return rewrite(plan, false);
        }

        private static SparkPlan rewrite(SparkPlan plan, boolean parentTakesColumns) {
            // adaptive execution plans a cache scan as a query stage of its own (a leaf)
            SparkPlan scanned = plan instanceof TableCacheQueryStageExec stage ? stage.plan() : plan;
            if (scanned instanceof InMemoryTableScanExec scan) {
                boolean ours = scan.relation().cacheBuilder().serializer() instanceof ColumnarCache
                        && supports(scan.relation().schema());
                return ours && plan.supportsColumnar() && !parentTakesColumns ? new ColumnarToRowExec(plan) : plan;
            }
            List<SparkPlan> children = CollectionConverters.asJava(plan.children());
            if (children.isEmpty()) {
                return plan;
            }
            boolean takesColumns = plan instanceof ColumnarToRowTransition || plan.supportsColumnar();
            List<SparkPlan> rewritten = new ArrayList<>(children.size());
            boolean changed = false;
            for (SparkPlan child : children) {
                SparkPlan r = rewrite(child, takesColumns);
                changed |= r != child;
                rewritten.add(r);
            }
            return changed ? plan.withNewChildren(CollectionConverters.asScala(rewritten).toSeq()) : plan;
        }
    }

    /** Whether the session caches through this serializer. */
    public static boolean installed(SparkSession spark) {
        return ColumnarCache.class.getName().equals(spark.conf().get(CONF, ""));
    }

    /** How a column is held. */
    enum Kind { INT, LONG, DOUBLE, BOOLEAN, STRING, BINARY }

    static Kind kindOf(DataType t) {
        if (t instanceof IntegerType || t instanceof DateType) {
            return Kind.INT;
        } else if (t instanceof LongType || t instanceof TimestampType || t instanceof TimestampNTZType) {
            return Kind.LONG;
        } else if (t instanceof DoubleType) {
            return Kind.DOUBLE;
        } else if (t instanceof BooleanType) {
            return Kind.BOOLEAN;
        } else if (t instanceof StringType) {
            return Kind.STRING;
        } else if (t instanceof BinaryType) {
            return Kind.BINARY;
        }
        return null;
    }

    static boolean supports(StructType schema) {
        for (StructField f : schema.fields()) {
            if (kindOf(f.dataType()) == null) {
                return false;
            }
        }
        return true;
    }

    static boolean supports(Seq<Attribute> attributes) {
        for (Attribute a : CollectionConverters.asJava(attributes)) {
            if (kindOf(a.dataType()) == null) {
                return false;
            }
        }
        return true;
    }

    private static DataType[] types(Seq<Attribute> attributes) {
        return CollectionConverters.asJava(attributes).stream().map(Attribute::dataType).toArray(DataType[]::new);
    }

    @SuppressWarnings("unchecked")
    private static <T> ClassTag<T> tag(Class<?> c) {
        return (ClassTag<T>) ClassTag$.MODULE$.apply(c);
    }

    @Override
    public boolean supportsColumnarInput(Seq<Attribute> schema) {
        return supports(schema);
    }

    @Override
    public RDD<CachedBatch> convertInternalRowToCachedBatch(RDD<InternalRow> input, Seq<Attribute> schema,
                                                           StorageLevel storageLevel, SQLConf conf) {
        if (!supports(schema)) {
            return fallback.convertInternalRowToCachedBatch(input, schema, storageLevel, conf);
        }
        DataType[] types = types(schema);
        int batchSize = conf.columnBatchSize();
        return new JavaRDD<InternalRow>(input, tag(InternalRow.class))
                .mapPartitions(rows -> new Builder(rows, types, batchSize)).rdd();
    }

    @Override
    public RDD<CachedBatch> convertColumnarBatchToCachedBatch(RDD<ColumnarBatch> input, Seq<Attribute> schema,
                                                             StorageLevel storageLevel, SQLConf conf) {
        if (!supports(schema)) {
            return fallback.convertColumnarBatchToCachedBatch(input, schema, storageLevel, conf);
        }
        Kind[] kinds = kinds(types(schema));
        // a scan reuses its vectors for the next batch: copy each batch before asking for the next
        return new JavaRDD<ColumnarBatch>(input, tag(ColumnarBatch.class)).map(b -> copyOf(b, kinds)).rdd();
    }

    private static Kind[] kinds(DataType[] types) {
        return Arrays.stream(types).map(ColumnarCache::kindOf).toArray(Kind[]::new);
    }

    /**
     * A scan's string vector whose values lie one after the other in its byte buffer (how the
     * Parquet reader appends them when not dictionary-encoded) is copied in one piece: the values'
     * bytes, with {@code offsets} filled in. Null otherwise.
     */
    private static byte[] contiguousBytes(WritableColumnVector v, boolean[] isNull, int rows, int[] offsets) {
        if (v.hasDictionary()) {
            return null;
        }
        int end = 0;
        for (int i = 0; i < rows; i++) {
            if (isNull == null || !isNull[i]) {
                if (v.getArrayOffset(i) != end) {
                    return null;
                }
                end += v.getArrayLength(i);
            }
            offsets[i + 1] = end;
        }
        return end == 0 ? new byte[0] : v.arrayData().getBytes(0, end);
    }

    /** A cached batch holding a copy of a columnar batch (a Parquet scan's, say). */
    static CachedBatch copyOf(ColumnarBatch batch, Kind[] kinds) {
        int rows = batch.numRows();
        int n = kinds.length;
        Object[] values = new Object[n];
        int[][] offsets = new int[n][];
        boolean[][] nulls = new boolean[n][];
        int[] nullCounts = new int[n];
        long bytes = 0;
        for (int c = 0; c < n; c++) {
            ColumnVector v = batch.column(c);
            if (v.hasNull()) {
                nulls[c] = new boolean[rows];
                for (int i = 0; i < rows; i++) {
                    if (v.isNullAt(i)) {
                        nulls[c][i] = true;
                        nullCounts[c]++;
                    }
                }
                bytes += rows;
            }
            boolean[] isNull = nulls[c];
            switch (kinds[c]) {
                case INT -> {
                    int[] a = new int[rows];
                    for (int i = 0; i < rows; i++) {
                        a[i] = isNull != null && isNull[i] ? 0 : v.getInt(i);
                    }
                    values[c] = a;
                    bytes += 4L * rows;
                }
                case LONG -> {
                    long[] a = new long[rows];
                    for (int i = 0; i < rows; i++) {
                        a[i] = isNull != null && isNull[i] ? 0 : v.getLong(i);
                    }
                    values[c] = a;
                    bytes += 8L * rows;
                }
                case DOUBLE -> {
                    double[] a = new double[rows];
                    for (int i = 0; i < rows; i++) {
                        a[i] = isNull != null && isNull[i] ? 0 : v.getDouble(i);
                    }
                    values[c] = a;
                    bytes += 8L * rows;
                }
                case BOOLEAN -> {
                    boolean[] a = new boolean[rows];
                    for (int i = 0; i < rows; i++) {
                        a[i] = (isNull == null || !isNull[i]) && v.getBoolean(i);
                    }
                    values[c] = a;
                    bytes += rows;
                }
                case STRING, BINARY -> {
                    int[] off = new int[rows + 1];
                    byte[] whole = v instanceof WritableColumnVector w ? contiguousBytes(w, isNull, rows, off) : null;
                    if (whole != null) {
                        values[c] = whole;
                        offsets[c] = off;
                        bytes += whole.length + 4L * (rows + 1);
                        continue;
                    }
                    byte[] data = new byte[Math.max(16, rows * 16)];
                    int used = 0;
                    WritableColumnVector dictionaryIds = v instanceof WritableColumnVector w && w.hasDictionary()
                            ? w.getDictionaryIds() : null;
                    byte[][] decoded = dictionaryIds == null ? null : new byte[256][];
                    for (int i = 0; i < rows; i++) {
                        if (isNull == null || !isNull[i]) {
                            if (dictionaryIds != null) {
                                // a dictionary-encoded column: each distinct value decoded once per batch
                                int id = dictionaryIds.getInt(i);
                                if (id >= decoded.length) {
                                    decoded = Arrays.copyOf(decoded, Math.max(id + 1, decoded.length * 2));
                                }
                                byte[] b = decoded[id];
                                if (b == null) {
                                    b = v.getUTF8String(i).getBytes();
                                    decoded[id] = b;
                                }
                                data = Builder.room(data, used, b.length);
                                System.arraycopy(b, 0, data, used, b.length);
                                used += b.length;
                            } else if (kinds[c] == Kind.STRING) {
                                UTF8String s = v.getUTF8String(i);
                                data = Builder.room(data, used, s.numBytes());
                                s.writeToMemory(data, Platform.BYTE_ARRAY_OFFSET + used);
                                used += s.numBytes();
                            } else {
                                byte[] b = v.getBinary(i);
                                data = Builder.room(data, used, b.length);
                                System.arraycopy(b, 0, data, used, b.length);
                                used += b.length;
                            }
                        }
                        off[i + 1] = used;
                    }
                    values[c] = Arrays.copyOf(data, used);
                    offsets[c] = off;
                    bytes += used + 4L * (rows + 1);
                }
            }
        }
        return new Batch(rows, values, offsets, nulls, nullCounts, bytes);
    }

    @Override
    public Function2<Object, scala.collection.Iterator<CachedBatch>, scala.collection.Iterator<CachedBatch>> buildFilter(
            Seq<Expression> predicates, Seq<Attribute> cachedAttributes) {
        return supports(cachedAttributes) ? new KeepAll() : fallback.buildFilter(predicates, cachedAttributes);
    }

    /** No statistics, so no batch can be skipped. */
    private static final class KeepAll extends AbstractFunction2<Object, scala.collection.Iterator<CachedBatch>,
            scala.collection.Iterator<CachedBatch>> implements Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public scala.collection.Iterator<CachedBatch> apply(Object partition, scala.collection.Iterator<CachedBatch> batches) {
            return batches;
        }
    }

    @Override
    public boolean supportsColumnarOutput(StructType schema) {
        return supports(schema) || fallback.supportsColumnarOutput(schema);
    }

    @Override
    public Option<Seq<String>> vectorTypes(Seq<Attribute> attributes, SQLConf conf) {
        if (!supports(attributes)) {
            return fallback.vectorTypes(attributes, conf);
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < attributes.size(); i++) {
            names.add(Vector.class.getName());
        }
        return Option.apply(CollectionConverters.asScala(names).toSeq());
    }

    /** For each selected attribute, its column in the cached relation. */
    private static int[] columnsOf(Seq<Attribute> cacheAttributes, Seq<Attribute> selectedAttributes) {
        List<Attribute> cached = CollectionConverters.asJava(cacheAttributes);
        List<Attribute> selected = CollectionConverters.asJava(selectedAttributes);
        int[] columns = new int[selected.size()];
        for (int i = 0; i < columns.length; i++) {
            columns[i] = -1;
            for (int j = 0; j < cached.size(); j++) {
                if (cached.get(j).exprId().equals(selected.get(i).exprId())) {
                    columns[i] = j;
                    break;
                }
            }
            if (columns[i] < 0) {
                throw new IllegalStateException("column " + selected.get(i) + " is not in the cached relation " + cached);
            }
        }
        return columns;
    }

    @Override
    public RDD<ColumnarBatch> convertCachedBatchToColumnarBatch(RDD<CachedBatch> input, Seq<Attribute> cacheAttributes,
                                                               Seq<Attribute> selectedAttributes, SQLConf conf) {
        if (!supports(cacheAttributes)) {
            return fallback.convertCachedBatchToColumnarBatch(input, cacheAttributes, selectedAttributes, conf);
        }
        int[] columns = columnsOf(cacheAttributes, selectedAttributes);
        DataType[] types = types(selectedAttributes);
        return new JavaRDD<CachedBatch>(input, tag(CachedBatch.class))
                .map(b -> ((Batch) b).select(columns, types)).rdd();
    }

    @Override
    public RDD<InternalRow> convertCachedBatchToInternalRow(RDD<CachedBatch> input, Seq<Attribute> cacheAttributes,
                                                           Seq<Attribute> selectedAttributes, SQLConf conf) {
        if (!supports(cacheAttributes)) {
            return fallback.convertCachedBatchToInternalRow(input, cacheAttributes, selectedAttributes, conf);
        }
        int[] columns = columnsOf(cacheAttributes, selectedAttributes);
        DataType[] types = types(selectedAttributes);
        StructType schema = new StructType();
        for (int i = 0; i < types.length; i++) {
            schema = schema.add("c" + i, types[i]);
        }
        StructType rowSchema = schema;
        return new JavaRDD<CachedBatch>(input, tag(CachedBatch.class)).mapPartitions(batches -> {
            UnsafeProjection project = UnsafeProjection.create(rowSchema);
            return new Iterator<InternalRow>() {
                Iterator<InternalRow> rows = java.util.Collections.emptyIterator();

                @Override
                public boolean hasNext() {
                    while (!rows.hasNext() && batches.hasNext()) {
                        rows = ((Batch) batches.next()).select(columns, types).rowIterator();
                    }
                    return rows.hasNext();
                }

                @Override
                public InternalRow next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    return project.apply(rows.next());
                }
            };
        }).rdd();
    }

    /** One cached batch: per column a primitive array, or bytes and offsets, and null flags when it has nulls. */
    static final class Batch implements CachedBatch, Serializable, KnownSizeEstimation {
        private static final long serialVersionUID = 1L;

        final int rows;
        final Object[] values;
        final int[][] offsets;
        final boolean[][] nulls;
        final int[] nullCounts;
        final long bytes;

        Batch(int rows, Object[] values, int[][] offsets, boolean[][] nulls, int[] nullCounts, long bytes) {
            this.rows = rows;
            this.values = values;
            this.offsets = offsets;
            this.nulls = nulls;
            this.nullCounts = nullCounts;
            this.bytes = bytes;
        }

        @Override
        public int numRows() {
            return rows;
        }

        @Override
        public long sizeInBytes() {
            return bytes;
        }

        /** Spares the block manager a reflective walk of every cached batch. */
        @Override
        public long estimatedSize() {
            return bytes + 64L * values.length + 64;
        }

        ColumnarBatch select(int[] columns, DataType[] types) {
            ColumnVector[] vectors = new ColumnVector[columns.length];
            for (int i = 0; i < columns.length; i++) {
                int c = columns[i];
                vectors[i] = new Vector(types[i], values[c], offsets[c], nulls[c], nullCounts[c]);
            }
            return new ColumnarBatch(vectors, rows);
        }
    }

    /** Copies rows into batches of up to {@code batchSize} rows, one batch at a time. */
    static final class Builder implements Iterator<CachedBatch> {
        private final Iterator<InternalRow> rows;
        private final Kind[] kinds;
        private final int batchSize;

        Builder(Iterator<InternalRow> rows, DataType[] types, int batchSize) {
            this.rows = rows;
            this.kinds = kinds(types);
            this.batchSize = batchSize;
        }

        @Override
        public boolean hasNext() {
            return rows.hasNext();
        }

        @Override
        public CachedBatch next() {
            if (!rows.hasNext()) {
                throw new NoSuchElementException();
            }
            int n = kinds.length;
            Object[] values = new Object[n];
            int[][] offsets = new int[n][];
            boolean[][] nulls = new boolean[n][];
            int[] nullCounts = new int[n];
            int[] used = new int[n];
            for (int c = 0; c < n; c++) {
                values[c] = switch (kinds[c]) {
                    case INT -> new int[batchSize];
                    case LONG -> new long[batchSize];
                    case DOUBLE -> new double[batchSize];
                    case BOOLEAN -> new boolean[batchSize];
                    case STRING, BINARY -> new byte[batchSize * 16];
                };
                if (kinds[c] == Kind.STRING || kinds[c] == Kind.BINARY) {
                    offsets[c] = new int[batchSize + 1];
                }
            }
            int r = 0;
            while (r < batchSize && rows.hasNext()) {
                InternalRow row = rows.next();
                for (int c = 0; c < n; c++) {
                    boolean isNull = row.isNullAt(c);
                    if (isNull) {
                        if (nulls[c] == null) {
                            nulls[c] = new boolean[batchSize];
                        }
                        nulls[c][r] = true;
                        nullCounts[c]++;
                    }
                    switch (kinds[c]) {
                        case INT -> {
                            if (!isNull) {
                                ((int[]) values[c])[r] = row.getInt(c);
                            }
                        }
                        case LONG -> {
                            if (!isNull) {
                                ((long[]) values[c])[r] = row.getLong(c);
                            }
                        }
                        case DOUBLE -> {
                            if (!isNull) {
                                ((double[]) values[c])[r] = row.getDouble(c);
                            }
                        }
                        case BOOLEAN -> {
                            if (!isNull) {
                                ((boolean[]) values[c])[r] = row.getBoolean(c);
                            }
                        }
                        case STRING -> {
                            if (!isNull) {
                                UTF8String s = row.getUTF8String(c);
                                int len = s.numBytes();
                                byte[] data = room((byte[]) values[c], used[c], len);
                                values[c] = data;
                                s.writeToMemory(data, Platform.BYTE_ARRAY_OFFSET + used[c]);
                                used[c] += len;
                            }
                            offsets[c][r + 1] = used[c];
                        }
                        case BINARY -> {
                            if (!isNull) {
                                byte[] b = row.getBinary(c);
                                byte[] data = room((byte[]) values[c], used[c], b.length);
                                values[c] = data;
                                System.arraycopy(b, 0, data, used[c], b.length);
                                used[c] += b.length;
                            }
                            offsets[c][r + 1] = used[c];
                        }
                    }
                }
                r++;
            }
            long bytes = 0;
            for (int c = 0; c < n; c++) {
                switch (kinds[c]) {
                    case INT -> {
                        values[c] = trim((int[]) values[c], r);
                        bytes += 4L * r;
                    }
                    case LONG -> {
                        values[c] = trim((long[]) values[c], r);
                        bytes += 8L * r;
                    }
                    case DOUBLE -> {
                        values[c] = r == batchSize ? values[c] : Arrays.copyOf((double[]) values[c], r);
                        bytes += 8L * r;
                    }
                    case BOOLEAN -> {
                        values[c] = r == batchSize ? values[c] : Arrays.copyOf((boolean[]) values[c], r);
                        bytes += r;
                    }
                    case STRING, BINARY -> {
                        values[c] = Arrays.copyOf((byte[]) values[c], used[c]);
                        offsets[c] = r == batchSize ? offsets[c] : Arrays.copyOf(offsets[c], r + 1);
                        bytes += used[c] + 4L * (r + 1);
                    }
                }
                if (nulls[c] != null) {
                    nulls[c] = r == batchSize ? nulls[c] : Arrays.copyOf(nulls[c], r);
                    bytes += r;
                }
            }
            return new Batch(r, values, offsets, nulls, nullCounts, bytes);
        }

        static byte[] room(byte[] data, int used, int more) {
            if (used + more <= data.length) {
                return data;
            }
            long size = Math.max((long) data.length * 2, (long) used + more);
            if (size > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("a cached string column of one batch exceeds 2 GiB; lower "
                        + "spark.sql.inMemoryColumnarStorage.batchSize");
            }
            return Arrays.copyOf(data, (int) size);
        }

        private static int[] trim(int[] a, int n) {
            return n == a.length ? a : Arrays.copyOf(a, n);
        }

        private static long[] trim(long[] a, int n) {
            return n == a.length ? a : Arrays.copyOf(a, n);
        }
    }

    /** A read-only view of one cached column. */
    public static final class Vector extends ColumnVector {
        private final int[] ints;
        private final long[] longs;
        private final double[] doubles;
        private final boolean[] booleans;
        private final byte[] bytes;
        private final int[] offsets;
        private final boolean[] nulls;
        private final int nullCount;

        Vector(DataType type, Object values, int[] offsets, boolean[] nulls, int nullCount) {
            super(type);
            this.ints = values instanceof int[] a ? a : null;
            this.longs = values instanceof long[] a ? a : null;
            this.doubles = values instanceof double[] a ? a : null;
            this.booleans = values instanceof boolean[] a ? a : null;
            this.bytes = values instanceof byte[] a ? a : null;
            this.offsets = offsets;
            this.nulls = nulls;
            this.nullCount = nullCount;
        }

        @Override
        public void close() {
        }

        @Override
        public boolean hasNull() {
            return nullCount > 0;
        }

        @Override
        public int numNulls() {
            return nullCount;
        }

        @Override
        public boolean isNullAt(int rowId) {
            return nulls != null && nulls[rowId];
        }

        @Override
        public boolean getBoolean(int rowId) {
            return booleans[rowId];
        }

        @Override
        public byte getByte(int rowId) {
            throw unsupported("byte");
        }

        @Override
        public short getShort(int rowId) {
            throw unsupported("short");
        }

        @Override
        public int getInt(int rowId) {
            return ints[rowId];
        }

        @Override
        public long getLong(int rowId) {
            return longs[rowId];
        }

        @Override
        public float getFloat(int rowId) {
            throw unsupported("float");
        }

        @Override
        public double getDouble(int rowId) {
            return doubles[rowId];
        }

        @Override
        public ColumnarArray getArray(int rowId) {
            throw unsupported("array");
        }

        @Override
        public ColumnarMap getMap(int ordinal) {
            throw unsupported("map");
        }

        @Override
        public Decimal getDecimal(int rowId, int precision, int scale) {
            throw unsupported("decimal");
        }

        @Override
        public UTF8String getUTF8String(int rowId) {
            if (isNullAt(rowId)) {
                return null;
            }
            int start = offsets[rowId];
            return UTF8String.fromBytes(bytes, start, offsets[rowId + 1] - start);
        }

        @Override
        public byte[] getBinary(int rowId) {
            if (isNullAt(rowId)) {
                return null;
            }
            return Arrays.copyOfRange(bytes, offsets[rowId], offsets[rowId + 1]);
        }

        @Override
        public ColumnVector getChild(int ordinal) {
            throw unsupported("struct");
        }

        private UnsupportedOperationException unsupported(String what) {
            return new UnsupportedOperationException("a cached " + dataType() + " column has no " + what + " values");
        }
    }
}
