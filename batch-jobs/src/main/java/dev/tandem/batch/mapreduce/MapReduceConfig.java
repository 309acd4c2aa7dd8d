package dev.tandem.batch.mapreduce;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Engine settings, with defaults sized for a small machine (2 cores, a few GB). Memory held by a
 * running job is about {@code mapSlots × sortBufferBytes + (mapSlots + reduceSlots) × mergeFactor
 * × ioBufferBytes}, independent of the input size.
 *
 * @param mapSlots         map tasks running at once
 * @param reduceSlots      reduce tasks running at once
 * @param reduceTasks      reduce partitions (output files)
 * @param sortBufferBytes  per map task: the in-memory sort buffer; output beyond it spills to disk
 * @param mergeFactor      runs merged at once (open files and read buffers per merge)
 * @param ioBufferBytes    read/write buffer per open run file
 * @param maxAttempts      attempts per task before the job fails
 * @param textSplitBytes   byte range of a text split
 * @param localDir         scratch space for spills, map outputs, shuffle and intermediate job outputs
 * @param progressInterval how often a running job logs a progress line
 */
public record MapReduceConfig(int mapSlots, int reduceSlots, int reduceTasks, int sortBufferBytes, int mergeFactor,
                              int ioBufferBytes, int maxAttempts, long textSplitBytes, Path localDir,
                              Duration progressInterval) {

    public MapReduceConfig {
        if (mapSlots < 1 || reduceSlots < 1 || reduceTasks < 1) {
            throw new IllegalArgumentException("slots and reduce tasks must be at least 1");
        }
        if (sortBufferBytes < 1024) {
            throw new IllegalArgumentException("sortBufferBytes must be at least 1024");
        }
        if (mergeFactor < 2) {
            throw new IllegalArgumentException("mergeFactor must be at least 2");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
    }

    /** Defaults: one map and one reduce slot per core, 64 MiB sort buffers, 4 attempts. */
    public static MapReduceConfig defaults(Path localDir) {
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        return new MapReduceConfig(cores, cores, 2 * cores, 64 << 20, 16, 64 << 10, 4, 32L << 20, localDir,
                Duration.ofSeconds(10));
    }

    public MapReduceConfig withMapSlots(int n) {
        return new MapReduceConfig(n, reduceSlots, reduceTasks, sortBufferBytes, mergeFactor, ioBufferBytes, maxAttempts,
                textSplitBytes, localDir, progressInterval);
    }

    public MapReduceConfig withReduceSlots(int n) {
        return new MapReduceConfig(mapSlots, n, reduceTasks, sortBufferBytes, mergeFactor, ioBufferBytes, maxAttempts,
                textSplitBytes, localDir, progressInterval);
    }

    public MapReduceConfig withReduceTasks(int n) {
        return new MapReduceConfig(mapSlots, reduceSlots, n, sortBufferBytes, mergeFactor, ioBufferBytes, maxAttempts,
                textSplitBytes, localDir, progressInterval);
    }

    public MapReduceConfig withSortBufferBytes(int n) {
        return new MapReduceConfig(mapSlots, reduceSlots, reduceTasks, n, mergeFactor, ioBufferBytes, maxAttempts,
                textSplitBytes, localDir, progressInterval);
    }

    public MapReduceConfig withMergeFactor(int n) {
        return new MapReduceConfig(mapSlots, reduceSlots, reduceTasks, sortBufferBytes, n, ioBufferBytes, maxAttempts,
                textSplitBytes, localDir, progressInterval);
    }

    public MapReduceConfig withIoBufferBytes(int n) {
        return new MapReduceConfig(mapSlots, reduceSlots, reduceTasks, sortBufferBytes, mergeFactor, n, maxAttempts,
                textSplitBytes, localDir, progressInterval);
    }

    public MapReduceConfig withMaxAttempts(int n) {
        return new MapReduceConfig(mapSlots, reduceSlots, reduceTasks, sortBufferBytes, mergeFactor, ioBufferBytes, n,
                textSplitBytes, localDir, progressInterval);
    }

    public MapReduceConfig withTextSplitBytes(long n) {
        return new MapReduceConfig(mapSlots, reduceSlots, reduceTasks, sortBufferBytes, mergeFactor, ioBufferBytes,
                maxAttempts, n, localDir, progressInterval);
    }

    public MapReduceConfig withLocalDir(Path dir) {
        return new MapReduceConfig(mapSlots, reduceSlots, reduceTasks, sortBufferBytes, mergeFactor, ioBufferBytes,
                maxAttempts, textSplitBytes, dir, progressInterval);
    }

    public MapReduceConfig withProgressInterval(Duration d) {
        return new MapReduceConfig(mapSlots, reduceSlots, reduceTasks, sortBufferBytes, mergeFactor, ioBufferBytes,
                maxAttempts, textSplitBytes, localDir, d);
    }
}
