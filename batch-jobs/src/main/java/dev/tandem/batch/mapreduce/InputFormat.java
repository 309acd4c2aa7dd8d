package dev.tandem.batch.mapreduce;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.List;

/** How a job input is cut into splits and read. */
public interface InputFormat<I> {

    List<InputSplit> splits(int input, List<Path> paths, Configuration conf) throws IOException;

    RecordReader<I> open(InputSplit split, Configuration conf) throws IOException;
}
