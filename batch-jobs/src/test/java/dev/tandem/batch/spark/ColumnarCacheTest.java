package dev.tandem.batch.spark;

import dev.tandem.batch.testkit.LocalSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cache format: whatever goes in — rows or a Parquet scan's column batches, every supported
 * type, nulls, empty and multi-byte strings, several batches per partition — a cached scan gives
 * back exactly the rows of the uncached query, read as column vectors.
 */
@ExtendWith(LocalSpark.class)
class ColumnarCacheTest {

    static final StructType SCHEMA = new StructType()
            .add("i", DataTypes.IntegerType).add("l", DataTypes.LongType).add("d", DataTypes.DoubleType)
            .add("b", DataTypes.BooleanType).add("s", DataTypes.StringType).add("bin", DataTypes.BinaryType)
            .add("day", DataTypes.DateType).add("ts", DataTypes.TimestampType);

    static List<Row> rows(int n, long seed) {
        Random r = new Random(seed);
        String[] words = {"", "a", "région", "東京", "campaign-0042", "x".repeat(300)};
        List<Row> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            out.add(RowFactory.create(
                    r.nextInt(7) == 0 ? null : r.nextInt(),
                    r.nextInt(7) == 0 ? null : r.nextLong(),
                    r.nextInt(7) == 0 ? null : r.nextDouble(),
                    r.nextInt(7) == 0 ? null : r.nextBoolean(),
                    r.nextInt(7) == 0 ? null : words[r.nextInt(words.length)] + k,
                    r.nextInt(7) == 0 ? null : ("b" + k).getBytes(StandardCharsets.UTF_8),
                    r.nextInt(7) == 0 ? null : new Date(86_400_000L * r.nextInt(20_000)),
                    r.nextInt(7) == 0 ? null : new Timestamp(1_700_000_000_000L + r.nextInt(1_000_000_000))));
        }
        return out;
    }

    /** Rows as comparable strings (binary columns by content). */
    static List<String> normalized(List<Row> rows) {
        List<String> out = new ArrayList<>();
        for (Row row : rows) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < row.length(); i++) {
                Object v = row.get(i);
                b.append(v instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(v)).append('|');
            }
            out.add(b.toString());
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    @Test
    void cachedRowsReadBackExactlyAsColumnVectors(SparkSession spark) {
        assertThat(ColumnarCache.installed(spark)).isTrue();
        // more rows than one cached batch holds, in 3 partitions
        List<Row> input = rows(25_000, 1);
        Dataset<Row> df = spark.createDataFrame(input, SCHEMA).repartition(3);
        Dataset<Row> cached = df.persist(StorageLevel.MEMORY_AND_DISK());
        try {
            assertThat(cached.count()).isEqualTo(input.size());
            assertThat(normalized(cached.collectAsList())).isEqualTo(normalized(input));
            Dataset<Row> filtered = cached.filter(col("l").isNotNull().and(col("s").startsWith("a"))).select("s", "l", "bin");
            assertThat(normalized(filtered.collectAsList()))
                    .isEqualTo(normalized(df.filter(col("l").isNotNull().and(col("s").startsWith("a"))).select("s", "l", "bin").collectAsList()));
            String plan = filtered.queryExecution().executedPlan().toString();
            assertThat(plan).as(plan).contains("ColumnarToRow").contains("InMemoryTableScan");
        } finally {
            cached.unpersist(true);
        }
    }

    @Test
    void aParquetScanIsCopiedBatchByBatch(SparkSession spark) throws Exception {
        Path dir = Files.createTempDirectory("columnar-cache");
        List<Row> input = rows(12_000, 2);
        String path = dir.resolve("t").toString();
        // plus a column of few distinct values, which Parquet keeps dictionary-encoded
        spark.createDataFrame(input, SCHEMA).withColumn("low", org.apache.spark.sql.functions.expr(
                        "CASE WHEN i IS NULL THEN NULL ELSE concat('région-', cast(abs(i % 5) AS string)) END"))
                .coalesce(1).write().parquet(path);
        List<Row> uncached = spark.read().parquet(path).collectAsList();
        assertThat(normalized(spark.read().parquet(path).drop("low").collectAsList())).isEqualTo(normalized(input));
        Dataset<Row> cached = spark.read().parquet(path).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            assertThat(normalized(cached.collectAsList())).isEqualTo(normalized(uncached));
            assertThat(cached.select("low").distinct().count()).isEqualTo(6);
            assertThat(cached.groupBy(col("b")).count().collectAsList()).hasSize(3);
        } finally {
            cached.unpersist(true);
        }
    }

    /**
     * Spark plans a row input as columns before caching it (so the scan above is tested by the
     * cache tests), and reads rows out through the planner rule; the serializer's own row paths
     * are still part of its contract, so they are driven directly here.
     */
    @Test
    void rowsInAndRowsOutDirectly(SparkSession spark) {
        List<Row> input = rows(23_000, 3);
        Dataset<Row> df = spark.createDataFrame(input, SCHEMA).repartition(2);
        scala.collection.immutable.Seq<org.apache.spark.sql.catalyst.expressions.Attribute> attributes =
                df.queryExecution().analyzed().output();
        org.apache.spark.sql.internal.SQLConf conf = org.apache.spark.sql.internal.SQLConf.get();
        ColumnarCache cache = new ColumnarCache();
        var batches = cache.convertInternalRowToCachedBatch(df.queryExecution().toRdd(), attributes,
                StorageLevel.MEMORY_ONLY(), conf);
        assertThat(batches.toJavaRDD().map(b -> (long) b.numRows()).reduce(Long::sum)).isEqualTo(input.size());
        // read back every column, and a reordered subset
        var back = cache.convertCachedBatchToInternalRow(batches, attributes, attributes, conf).toJavaRDD()
                .map(r -> org.apache.spark.sql.catalyst.CatalystTypeConverters.convertToScala(r, SCHEMA))
                .collect();
        assertThat(normalized(back.stream().map(o -> (Row) o).toList())).isEqualTo(normalized(input));
        var subset = scala.jdk.javaapi.CollectionConverters.asScala(List.of(attributes.apply(4), attributes.apply(1))).toSeq();
        StructType subsetSchema = new StructType().add("s", DataTypes.StringType).add("l", DataTypes.LongType);
        var pairs = cache.convertCachedBatchToInternalRow(batches, attributes, subset, conf).toJavaRDD()
                .map(r -> (Row) org.apache.spark.sql.catalyst.CatalystTypeConverters.convertToScala(r, subsetSchema))
                .collect();
        List<Row> expected = input.stream().map(r -> RowFactory.create(r.get(4), r.get(1))).toList();
        assertThat(normalized(pairs)).isEqualTo(normalized(expected));
    }

    @Test
    void userExtensionsAreKept() {
        String ours = ColumnarCache.Extensions.class.getName();
        assertThat(ColumnarCache.extensionsWith(null)).isEqualTo(ours);
        assertThat(ColumnarCache.extensionsWith("io.delta.sql.DeltaSparkSessionExtension"))
                .isEqualTo("io.delta.sql.DeltaSparkSessionExtension," + ours);
        assertThat(ColumnarCache.extensionsWith("a.B, " + ours)).isEqualTo("a.B, " + ours);
    }

    @Test
    void otherTypesFallBackToSparksOwnFormat(SparkSession spark) {
        Dataset<Row> df = spark.range(1000).selectExpr("id", "array(id, id + 1) as pair", "named_struct('a', id) as s");
        Dataset<Row> cached = df.persist(StorageLevel.MEMORY_AND_DISK());
        try {
            assertThat(cached.filter("pair[1] = s.a + 1").count()).isEqualTo(1000);
        } finally {
            cached.unpersist(true);
        }
    }
}
