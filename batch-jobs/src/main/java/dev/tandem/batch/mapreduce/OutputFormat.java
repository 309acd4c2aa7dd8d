package dev.tandem.batch.mapreduce;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;

/**
 * How reduce output is written. A writer only ever writes below the task attempt directory it is
 * given; the committer makes the files visible.
 */
public interface OutputFormat<K, V> {

    RecordWriter<K, V> open(FileSystem fs, Path attemptDir, int partition, Configuration conf) throws IOException;

    static String partName(int partition) {
        return String.format("part-r-%05d", partition);
    }
}
