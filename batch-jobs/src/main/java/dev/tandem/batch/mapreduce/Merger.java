package dev.tandem.batch.mapreduce;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Merges sorted runs. At most {@code factor} runs are open at once (each with one read buffer),
 * so a task with many spills merges in several passes, smallest runs first, like Hadoop's
 * {@code io.sort.factor}.
 */
final class Merger {

    private Merger() {
    }

    /** Merges runs partition by partition into one run file, through the combiner if given. */
    static Run merge(List<Run> runs, Path out, int numPartitions, int ioBufferBytes, CombineDriver<?, ?> combiner)
            throws IOException {
        try (RunWriter w = new RunWriter(out, numPartitions, ioBufferBytes)) {
            for (int p = 0; p < numPartitions; p++) {
                w.startPartition(p);
                List<SegmentReader> readers = new ArrayList<>();
                try {
                    for (Run r : runs) {
                        if (r.records()[p] > 0) {
                            readers.add(new SegmentReader(r, p, ioBufferBytes));
                        }
                    }
                    RecordSource src = readers.size() == 1 ? readers.get(0) : new MergingSource(readers);
                    if (combiner != null) {
                        combiner.run(src, w);
                    } else {
                        while (src.next()) {
                            w.append(src.keyBuf(), src.keyOff(), src.keyLen(), src.valBuf(), src.valOff(), src.valLen());
                        }
                    }
                } finally {
                    for (SegmentReader r : readers) {
                        r.close();
                    }
                }
            }
            return w.finish();
        }
    }

    /**
     * Reduces {@code runs} to at most {@code factor} by merging the smallest ones into new files
     * in {@code dir}; merged inputs are deleted.
     */
    static List<Run> reduceTo(List<Run> runs, int factor, Path dir, String prefix, int numPartitions,
                              int ioBufferBytes, CombineDriver<?, ?> combiner, Counters counters) throws IOException {
        List<Run> live = new ArrayList<>(runs);
        int pass = 0;
        while (live.size() > factor) {
            live.sort(Comparator.comparingLong(Run::totalBytes));
            // merge just enough runs that the rest plus the result fit in one final merge
            int take = Math.min(factor, live.size() - factor + 1);
            List<Run> group = new ArrayList<>(live.subList(0, take));
            Run merged = merge(group, dir.resolve(prefix + "-merge" + pass++ + ".run"), numPartitions, ioBufferBytes, combiner);
            counters.add(Counters.MERGE_PASSES, 1);
            for (Run r : group) {
                Files.deleteIfExists(r.file());
            }
            live.subList(0, take).clear();
            live.add(merged);
        }
        return live;
    }
}
