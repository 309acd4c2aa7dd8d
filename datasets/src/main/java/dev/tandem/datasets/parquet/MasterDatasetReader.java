package dev.tandem.datasets.parquet;

import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.storage.MasterRecords;
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
        return MasterRecords.fromRow(r);
    }
}
