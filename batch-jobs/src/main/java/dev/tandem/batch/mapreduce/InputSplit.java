package dev.tandem.batch.mapreduce;

import org.apache.hadoop.fs.Path;

/**
 * A unit of map work: a byte range of one file (for Parquet, exactly one row group; for text, a
 * range whose lines are those that start inside it; for record files, the whole file).
 *
 * @param input index of the job input (for jobs with several inputs and mappers)
 */
public record InputSplit(int input, Path path, long start, long length, long records) {

    @Override
    public String toString() {
        return path.getName() + "[" + start + "+" + length + "]";
    }
}
