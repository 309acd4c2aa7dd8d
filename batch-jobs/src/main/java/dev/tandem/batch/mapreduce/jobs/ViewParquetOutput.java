package dev.tandem.batch.mapreduce.jobs;

import dev.tandem.batch.mapreduce.OutputFormat;
import dev.tandem.batch.mapreduce.RecordWriter;
import dev.tandem.batch.mapreduce.jobs.ViewSerdes.ViewSlot;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.BatchViewSchema;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.Views;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes view rows in core's batch-view layout: {@code <view>/part-r-NNNNN.parquet} per reduce
 * task, rows as {@link BatchViewSchema#toRecord}. A task opens a view's file only when it has a
 * row for it.
 */
public final class ViewParquetOutput implements OutputFormat<ViewSlot, Aggregate> {

    @Override
    public RecordWriter<ViewSlot, Aggregate> open(FileSystem fs, Path attemptDir, int partition, Configuration conf) {
        Map<String, ParquetWriter<GenericRecord>> writers = new LinkedHashMap<>();
        Map<String, Schema> schemas = new LinkedHashMap<>();
        return new RecordWriter<>() {
            @Override
            public void write(ViewSlot slot, Aggregate value) throws IOException {
                ViewDefinition view = Views.byName(slot.view());
                ParquetWriter<GenericRecord> w = writers.get(view.name());
                if (w == null) {
                    Schema schema = BatchViewSchema.avroSchema(view);
                    schemas.put(view.name(), schema);
                    Path file = new Path(new Path(attemptDir, view.name()), OutputFormat.partName(partition) + ".parquet");
                    w = AvroParquetWriter.<GenericRecord>builder(HadoopOutputFile.fromPath(file, conf))
                            .withSchema(schema)
                            .withDataModel(GenericData.get())
                            .withConf(conf)
                            .withCompressionCodec(CompressionCodecName.SNAPPY)
                            .withWriteMode(ParquetFileWriter.Mode.CREATE)
                            .build();
                    writers.put(view.name(), w);
                }
                w.write(BatchViewSchema.toRecord(view, schemas.get(view.name()), slot.key(), value));
            }

            @Override
            public void close() throws IOException {
                IOException first = null;
                for (ParquetWriter<GenericRecord> w : writers.values()) {
                    try {
                        w.close();
                    } catch (IOException e) {
                        first = first == null ? e : first;
                    }
                }
                if (first != null) {
                    throw first;
                }
            }
        };
    }
}
