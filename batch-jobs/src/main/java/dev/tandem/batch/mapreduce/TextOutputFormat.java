package dev.tandem.batch.mapreduce;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/** {@code key<TAB>value} lines, one file per reduce partition ({@code part-r-00000.txt}, …). */
public final class TextOutputFormat<K, V> implements OutputFormat<K, V> {

    @Override
    public RecordWriter<K, V> open(FileSystem fs, Path attemptDir, int partition, Configuration conf) throws IOException {
        Writer w = new BufferedWriter(new OutputStreamWriter(
                fs.create(new Path(attemptDir, OutputFormat.partName(partition) + ".txt"), false), StandardCharsets.UTF_8),
                64 * 1024);
        return new RecordWriter<>() {
            @Override
            public void write(K key, V value) throws IOException {
                w.write(String.valueOf(key));
                w.write('\t');
                w.write(String.valueOf(value));
                w.write('\n');
            }

            @Override
            public void close() throws IOException {
                w.close();
            }
        };
    }
}
