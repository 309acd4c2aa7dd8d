package dev.tandem.batch.mapreduce;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parquet files, one split per row group (the footer gives each group's byte range), read as
 * Avro generic records through parquet-avro. A reader asks Parquet for its byte range, and
 * Parquet keeps exactly the row groups whose midpoint lies in it: the split's own group. An
 * optional projection reads only the columns a mapper needs.
 */
public final class ParquetInputFormat implements InputFormat<GenericRecord> {

    private final Schema projection;
    /** Copying a Configuration is costly (it re-reads its resources): one projected copy per base conf. */
    private Configuration projectedFor;
    private Configuration projected;

    public ParquetInputFormat() {
        this(null);
    }

    public ParquetInputFormat(Schema projection) {
        this.projection = projection;
    }

    @Override
    public List<InputSplit> splits(int input, List<Path> paths, Configuration conf) throws IOException {
        List<InputSplit> out = new ArrayList<>();
        for (Path p : paths) {
            FileSystem fs = p.getFileSystem(conf);
            FileStatus st = fs.getFileStatus(p);
            try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromStatus(st, conf))) {
                for (BlockMetaData b : r.getFooter().getBlocks()) {
                    out.add(new InputSplit(input, st.getPath(), b.getStartingPos(), b.getCompressedSize(), b.getRowCount()));
                }
            }
        }
        return out;
    }

    private synchronized Configuration projected(Configuration conf) {
        if (projectedFor != conf) {
            projected = new Configuration(conf);
            AvroReadSupport.setRequestedProjection(projected, projection);
            projectedFor = conf;
        }
        return projected;
    }

    @Override
    public RecordReader<GenericRecord> open(InputSplit split, Configuration conf) throws IOException {
        Configuration c = projection == null ? conf : projected(conf);
        ParquetReader<GenericRecord> reader = AvroParquetReader
                .<GenericRecord>builder(HadoopInputFile.fromPath(split.path(), c))
                .withDataModel(GenericData.get())
                .withConf(c)
                .withFileRange(split.start(), split.start() + split.length())
                .build();
        return new RecordReader<>() {
            private GenericRecord current;

            @Override
            public boolean next() throws IOException {
                current = reader.read();
                return current != null;
            }

            @Override
            public GenericRecord current() {
                return current;
            }

            @Override
            public void close() throws IOException {
                reader.close();
            }
        };
    }
}
