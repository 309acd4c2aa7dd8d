package dev.tandem.batch.spark;

import dev.tandem.core.storage.StorageLayout;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Reads complete master hours as Spark rows in the {@link MasterRows#MASTER} layout. The files of
 * each hour are listed through core's {@link StorageLayout} (so markers and hidden files are left
 * out and the hour set is exactly the one the caller chose) and read with the schema derived
 * from core's Avro schema, so an empty selection still has the right columns.
 */
public final class SparkMasterReader {

    private SparkMasterReader() {
    }

    public static Dataset<Row> read(SparkSession spark, StorageLayout layout, Collection<Long> hours) throws IOException {
        List<String> files = new ArrayList<>();
        for (long h : hours) {
            for (Path p : layout.masterHourFiles(h)) {
                files.add(p.toString());
            }
        }
        if (files.isEmpty()) {
            return spark.createDataFrame(List.of(), MasterRows.MASTER);
        }
        // the files are already listed: above the default threshold (32 paths) Spark would run a
        // distributed job (one task per path) just to stat them again, seconds for a few hundred hours
        spark.conf().set("spark.sql.sources.parallelPartitionDiscovery.threshold",
                Integer.toString(Math.max(32, files.size())));
        return spark.read().schema(MasterRows.MASTER).parquet(files.toArray(new String[0]));
    }
}
