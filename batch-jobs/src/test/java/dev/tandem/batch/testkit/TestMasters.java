package dev.tandem.batch.testkit;

import dev.tandem.batch.spark.MasterRows;
import dev.tandem.core.event.DecodeException;
import dev.tandem.core.event.EventCodec;
import dev.tandem.core.event.EventSchemas;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.testkit.RandomLogs;
import dev.tandem.core.time.IngestTags;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Test master datasets: core's {@link RandomLogs} (duplicates, late and invalid events, window-edge
 * clicks) put on the wire as v1 or v2 Avro as producers would, decoded, and written as master
 * Parquet with Spark, partitioned by ingest hour.
 * Invalid-but-decodable events are written too, so the batch job's own validation is exercised.
 */
public final class TestMasters {

    private TestMasters() {
    }

    /**
     * The master rows for a seed: core's random log where each event went over the wire as Avro v1
     * (about half of those whose currency is the default; v1 has no currency) or v2 and was
     * decoded back with the latest schema. Events no producer could encode (a required field is
     * null) are kept as they are: the master dataset still has to survive them.
     */
    public static List<IngestedEvent> events(long seed, int size, long startHour) {
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x5eedL);
        List<IngestedEvent> out = new ArrayList<>();
        for (IngestedEvent ie : RandomLogs.generate(seed, size, startHour)) {
            IngestedEvent row = ie;
            try {
                byte[] bytes = "USD".equals(ie.event().currency()) && rnd.nextBoolean()
                        ? EventCodec.get().encode(ie.event(), EventSchemas.V1)
                        : EventCodec.get().encode(ie.event());
                row = new IngestedEvent(EventCodec.get().decode(bytes), ie.ingestTime(), ie.partition(), ie.offset());
            } catch (IllegalArgumentException | DecodeException e) {
                // not encodable: keep the event itself
            }
            out.add(row);
        }
        return out;
    }

    /** The hours spanned by the events, first to last, including empty ones. */
    public static TreeSet<Long> hoursOf(List<IngestedEvent> events) {
        TreeSet<Long> tags = new TreeSet<>();
        events.forEach(e -> tags.add(e.tag()));
        TreeSet<Long> hours = new TreeSet<>();
        for (long h = tags.first(); h <= tags.last(); h += IngestTags.HOUR_MS) {
            hours.add(h);
        }
        return hours;
    }

    /** Writes the events' master Parquet files by ingest hour; marks nothing complete. */
    public static void writeFiles(SparkSession spark, StorageLayout layout, List<IngestedEvent> events) {
        StructType schema = MasterRows.MASTER.add(DataTypes.createStructField("ingest_hour", DataTypes.StringType, false));
        List<Row> rows = new ArrayList<>(events.size());
        for (IngestedEvent ie : events) {
            Row m = MasterRows.toMasterRow(ie);
            Object[] values = new Object[m.size() + 1];
            for (int i = 0; i < m.size(); i++) {
                values[i] = m.get(i);
            }
            values[m.size()] = IngestTags.hourLabel(ie.tag());
            rows.add(RowFactory.create(values));
        }
        spark.conf().set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MILLIS");
        spark.createDataFrame(rows, schema).repartition(2).write().mode(SaveMode.Append)
                .partitionBy("ingest_hour").parquet(layout.masterEventsDir().toString());
    }

    /** Marks the given hours complete ({@code _SUCCESS}; empty hours get their folder). */
    public static void markComplete(StorageLayout layout, Iterable<Long> hours) throws IOException {
        for (long h : hours) {
            layout.markHourComplete(h);
        }
    }
}
