package dev.tandem.datasets.parquet;

import dev.tandem.core.event.Event;
import dev.tandem.core.event.EventType;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.view.BatchViewSchema;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Reads master rows back as events with their log positions (for tests, summaries and verify). */
public final class MasterDatasetReader {

    private final StorageLayout layout;
    private final Configuration conf;

    public MasterDatasetReader(StorageLayout layout, Configuration conf) {
        this.layout = layout;
        this.conf = conf;
    }

    public List<IngestedEvent> readHour(long hourStart) throws IOException {
        List<IngestedEvent> out = new ArrayList<>();
        for (Path file : layout.masterHourFiles(hourStart)) {
            try (ParquetReader<GenericRecord> reader = AvroParquetReader
                    .<GenericRecord>builder(HadoopInputFile.fromPath(file, conf)).withConf(conf).build()) {
                GenericRecord r;
                while ((r = reader.read()) != null) {
                    out.add(fromRow(r));
                }
            }
        }
        return out;
    }

    /** Every complete hour, in hour order. */
    public List<IngestedEvent> readAll() throws IOException {
        List<IngestedEvent> out = new ArrayList<>();
        for (long h : layout.completeHours()) {
            out.addAll(readHour(h));
        }
        return out;
    }

    public static IngestedEvent fromRow(GenericRecord r) {
        Event e = new Event(str(r, "event_id"), EventType.valueOf(str(r, "event_type")), BatchViewSchema.epochMillis(r.get("event_time")),
                str(r, "user_id"), str(r, "region"), str(r, "campaign_id"), str(r, "ad_id"), str(r, "impression_id"),
                str(r, "order_id"), (Long) r.get("total_minor"), str(r, "query"), str(r, "currency"));
        return new IngestedEvent(e, (Long) r.get("ingest_time"), (Integer) r.get("kafka_partition"), (Long) r.get("kafka_offset"));
    }

    private static String str(GenericRecord r, String field) {
        Object v = r.get(field);
        return v == null ? null : v.toString();
    }
}
