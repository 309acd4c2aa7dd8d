package dev.tandem.batch.mapreduce;

import org.apache.hadoop.fs.Path;

import java.util.List;
import java.util.function.Supplier;

/**
 * One input of a job: a format, its paths, and the mapper for its records (a job with several
 * inputs, like Hadoop's MultipleInputs, joins differently shaped data on one key).
 */
public record Input<I, K, V>(InputFormat<I> format, List<Path> paths, Supplier<? extends Mapper<I, K, V>> mapper) {

    public Input {
        paths = List.copyOf(paths);
    }
}
