package dev.tandem.datasets.parquet;

import dev.tandem.core.event.Event;
import dev.tandem.core.event.EventCodec;
import dev.tandem.core.event.EventSchemas;
import dev.tandem.core.event.LogRecord;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.storage.MasterRecords;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.validation.Checked;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Writes whole ingest hours of the log into the master dataset (DESIGN §5): valid records as
 * master rows (Event v2 fields + log position), bad ones into quarantine with their raw bytes and
 * reason, then {@code _SUCCESS} last. Duplicates are kept: the master dataset is the immutable
 * record of what the log held, and dedup over all history is the recompute's job. An hour already
 * complete is left alone, so rewriting the same hours is a no-op.
 */
public final class MasterDatasetWriter {

    public static final String PART_FILE = "part-00000.parquet";

    private final StorageLayout layout;
    private final Configuration conf;

    /** Counts of one written hour. */
    public record HourCounts(long hourStart, long records, long valid, long quarantined, boolean skipped) {
    }

    public MasterDatasetWriter(StorageLayout layout, Configuration conf) {
        this.layout = layout;
        this.conf = conf;
    }

    /** Writes one complete hour; every record must carry an ingest time inside it. */
    public HourCounts writeHour(long hourStart, List<LogRecord> records) throws IOException {
        if (layout.isHourComplete(hourStart)) {
            return new HourCounts(hourStart, records.size(), 0, 0, true);
        }
        Path dir = layout.masterHourDir(hourStart);
        Path qdir = layout.quarantineHourDir(hourStart);
        // a crash may have left partial files: an incomplete hour is rewritten from scratch
        layout.fs().delete(dir, true);
        layout.fs().delete(qdir, true);
        layout.fs().mkdirs(dir);
        long valid = 0;
        long quarantined = 0;
        try (ParquetWriter<GenericRecord> master = open(new Path(dir, PART_FILE), EventSchemas.MASTER_EVENT)) {
            ParquetWriter<GenericRecord> quarantine = null;
            try {
                for (LogRecord r : records) {
                    if (IngestTags.tagOf(r.ingestTime()) != hourStart) {
                        throw new IllegalArgumentException("record at " + r.ingestTime() + " is not in hour "
                                + IngestTags.hourLabel(hourStart));
                    }
                    Checked c = EventCodec.get().check(r.value(), r.ingestTime());
                    if (c.isValid()) {
                        master.write(masterRow(c.event(), r));
                        valid++;
                    } else {
                        if (quarantine == null) {
                            quarantine = open(new Path(qdir, PART_FILE), EventSchemas.QUARANTINE_RECORD);
                        }
                        quarantine.write(quarantineRow(r, c));
                        quarantined++;
                    }
                }
            } finally {
                if (quarantine != null) {
                    quarantine.close();
                }
            }
        }
        layout.markHourComplete(hourStart);
        return new HourCounts(hourStart, records.size(), valid, quarantined, false);
    }

    public static GenericRecord masterRow(Event e, LogRecord r) {
        return MasterRecords.toRow(new IngestedEvent(e, r.ingestTime(), r.partition(), r.offset()));
    }

    private static GenericRecord quarantineRow(LogRecord r, Checked c) {
        GenericData.Record row = new GenericData.Record(EventSchemas.QUARANTINE_RECORD);
        row.put("raw", ByteBuffer.wrap(r.value()));
        row.put("reason", c.rejection().code());
        row.put("detail", c.rejection().detail());
        row.put("ingest_time", r.ingestTime());
        row.put("kafka_partition", r.partition());
        row.put("kafka_offset", r.offset());
        return row;
    }

    private ParquetWriter<GenericRecord> open(Path path, org.apache.avro.Schema schema) throws IOException {
        return AvroParquetWriter.<GenericRecord>builder(HadoopOutputFile.fromPath(path, conf))
                .withSchema(schema)
                .withConf(conf)
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                // ids are unique per row: a dictionary only costs hashing before Parquet gives up on it
                .withDictionaryEncoding("event_id", false)
                .withDictionaryEncoding("impression_id", false)
                .withDictionaryEncoding("order_id", false)
                .build();
    }
}
