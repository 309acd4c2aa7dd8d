package dev.tandem.batch.mapreduce;

import org.apache.hadoop.fs.FileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Runs a {@link Job} in this JVM the way Hadoop runs one on a cluster, with threads for task
 * slots and a local directory for the disks of the task trackers:
 * <ol>
 *   <li><b>split</b>: every input format cuts its paths into splits; one map task per split;</li>
 *   <li><b>map</b> (on {@code mapSlots} threads): read the split, map, collect into the bounded
 *       sort buffer, spill sorted (and combined) runs, merge the spills into one map output file
 *       partitioned by reducer, with an index;</li>
 *   <li><b>shuffle and reduce</b> (on {@code reduceSlots} threads, after every map is done): each
 *       reduce task copies its segment out of every map output, merges the segments (in passes
 *       of at most {@code mergeFactor}) and streams key groups to the reducer, whose output goes
 *       into a task attempt directory;</li>
 *   <li><b>commit</b>: each successful reduce attempt is committed by a rename, the job by moving
 *       the committed files into the output directory and writing {@code _SUCCESS}.</li>
 * </ol>
 * A failed attempt (any exception) is retried up to {@code maxAttempts} times; its counters are
 * dropped and its local files deleted. When a task runs out of attempts the job is aborted.
 */
public final class JobRunner {

    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
    private static final AtomicLong JOB_SEQ = new AtomicLong();

    private final MapReduceConfig cfg;

    public JobRunner(MapReduceConfig cfg) {
        this.cfg = cfg;
    }

    public MapReduceConfig config() {
        return cfg;
    }

    public <K, V, KO, VO> JobResult run(Job<K, V, KO, VO> job) throws IOException {
        return new Execution<>(job).run();
    }

    @FunctionalInterface
    private interface AttemptBody<T> {
        T run(int attempt, Counters counters) throws Exception;
    }

    private final class Execution<K, V, KO, VO> {
        private final Job<K, V, KO, VO> job;
        private final String jobId;
        private final Path localJobDir;
        private final int reduces;
        private final Counters counters = new Counters();
        private final Set<Counters> running = ConcurrentHashMap.newKeySet();
        private final AtomicInteger mapsDone = new AtomicInteger();
        private final AtomicInteger reducesDone = new AtomicInteger();
        private volatile String phase = "split";
        private int maps;

        Execution(Job<K, V, KO, VO> job) {
            this.job = job;
            this.jobId = job.name.replaceAll("[^A-Za-z0-9]", "") + String.format("%04d", JOB_SEQ.incrementAndGet() % 10000)
                    + Long.toHexString(System.nanoTime() & 0xfffff);
            this.localJobDir = cfg.localDir().resolve("job_" + jobId);
            this.reduces = job.reduceTasks > 0 ? job.reduceTasks : cfg.reduceTasks();
        }

        JobResult run() throws IOException {
            long t0 = System.nanoTime();
            FileSystem outFs = job.outputDir.getFileSystem(job.conf);
            FileOutputCommitter committer = new FileOutputCommitter(outFs, outFs.makeQualified(job.outputDir), jobId);
            committer.setupJob();
            Files.createDirectories(localJobDir);
            ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "mr-progress-" + jobId);
                t.setDaemon(true);
                return t;
            });
            long every = Math.max(1, cfg.progressInterval().toMillis());
            progress.scheduleAtFixedRate(this::logProgress, every, every, TimeUnit.MILLISECONDS);
            boolean ok = false;
            try {
                List<InputSplit> splits = new ArrayList<>();
                for (int i = 0; i < job.inputs.size(); i++) {
                    Input<?, K, V> in = job.inputs.get(i);
                    splits.addAll(in.format().splits(i, in.paths(), job.conf));
                }
                maps = splits.size();
                long t1 = System.nanoTime();
                counters.add(Counters.SPLIT_MS, ms(t1 - t0));
                LOG.info("job {} ({}): {} map tasks over {} inputs, {} reduce tasks; slots {} map / {} reduce, sort buffer {} KiB",
                        job.name, jobId, maps, job.inputs.size(), reduces, cfg.mapSlots(), cfg.reduceSlots(),
                        cfg.sortBufferBytes() >> 10);

                phase = "map";
                List<Path> mapOutputs = runAll(cfg.mapSlots(), maps, "map", m ->
                        withRetries("map", m, (attempt, c) -> runMap(splits.get(m), m, attempt, c)), mapsDone);
                long t2 = System.nanoTime();
                counters.add(Counters.MAP_PHASE_MS, ms(t2 - t1));
                counters.add(Counters.MAP_TASKS, maps);

                phase = "reduce";
                runAll(cfg.reduceSlots(), reduces, "reduce", r ->
                        withRetries("reduce", r, (attempt, c) -> runReduce(r, attempt, c, mapOutputs, committer)), reducesDone);
                long t3 = System.nanoTime();
                counters.add(Counters.REDUCE_PHASE_MS, ms(t3 - t2));
                counters.add(Counters.REDUCE_TASKS, reduces);

                phase = "commit";
                committer.commitJob(reduces);
                long t4 = System.nanoTime();
                counters.add(Counters.COMMIT_MS, ms(t4 - t3));
                counters.add(Counters.TOTAL_MS, ms(t4 - t0));
                ok = true;
                LOG.info("job {} ({}) committed to {} in {} ms: map input {} records, map output {} records, spilled {} records / {} bytes, shuffled {} bytes, reduce output {} records, failed attempts {}",
                        job.name, jobId, committer.outputDir(), counters.get(Counters.TOTAL_MS),
                        counters.get(Counters.MAP_INPUT_RECORDS), counters.get(Counters.MAP_OUTPUT_RECORDS),
                        counters.get(Counters.SPILLED_RECORDS), counters.get(Counters.SPILLED_BYTES),
                        counters.get(Counters.SHUFFLE_BYTES), counters.get(Counters.REDUCE_OUTPUT_RECORDS),
                        counters.get(Counters.FAILED_ATTEMPTS));
                return new JobResult(jobId, committer.outputDir(), counters);
            } finally {
                progress.shutdownNow();
                if (!ok) {
                    LOG.error("job {} ({}) failed in phase {}; aborting", job.name, jobId, phase);
                    committer.abortJob();
                }
                deleteRecursively(localJobDir);
            }
        }

        private void logProgress() {
            Counters live = new Counters();
            live.addAll(counters);
            for (Counters c : running) {
                live.addAll(c);
            }
            LOG.info("job {} {}: map {}/{} reduce {}/{}; map input {} records, spilled {} bytes, shuffled {} bytes, reduce output {} records",
                    job.name, phase, mapsDone.get(), maps, reducesDone.get(), reduces,
                    live.get(Counters.MAP_INPUT_RECORDS), live.get(Counters.SPILLED_BYTES),
                    live.get(Counters.SHUFFLE_BYTES), live.get(Counters.REDUCE_OUTPUT_RECORDS));
        }

        private <T> List<T> runAll(int slots, int n, String what, TaskBody<T> body, AtomicInteger done) throws IOException {
            ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(slots, n)), r -> {
                Thread t = new Thread(r, "mr-" + what + "-" + jobId);
                t.setDaemon(true);
                return t;
            });
            try {
                List<Future<T>> futures = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    int task = i;
                    futures.add(pool.submit(() -> {
                        T r = body.run(task);
                        done.incrementAndGet();
                        return r;
                    }));
                }
                List<T> results = new ArrayList<>(n);
                for (Future<T> f : futures) {
                    try {
                        results.add(f.get());
                    } catch (ExecutionException e) {
                        futures.forEach(x -> x.cancel(true));
                        Throwable c = e.getCause();
                        throw c instanceof JobFailedException jf ? jf : new JobFailedException(c.getMessage(), c);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        futures.forEach(x -> x.cancel(true));
                        throw new JobFailedException("interrupted", e);
                    }
                }
                return results;
            } finally {
                pool.shutdownNow();
                try {
                    pool.awaitTermination(1, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private <T> T withRetries(String type, int task, AttemptBody<T> body) throws JobFailedException {
            Throwable last = null;
            for (int attempt = 0; attempt < cfg.maxAttempts(); attempt++) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new JobFailedException("job " + job.name + " cancelled", last);
                }
                Counters c = new Counters();
                running.add(c);
                try {
                    T result = body.run(attempt, c);
                    counters.addAll(c);
                    return result;
                } catch (VirtualMachineError e) {
                    throw e;
                } catch (Throwable t) {
                    last = t;
                    counters.add(Counters.FAILED_ATTEMPTS, 1);
                    LOG.warn("job {}: {} task {} attempt {} failed: {}", job.name, type, task, attempt, t.toString());
                } finally {
                    running.remove(c);
                }
            }
            throw new JobFailedException("job " + job.name + ": " + type + " task " + task + " failed "
                    + cfg.maxAttempts() + " attempts; last error: " + last, last);
        }

        private TaskContext context(String type, int task, int attempt, Counters c) {
            return new TaskContext() {
                @Override
                public String jobName() {
                    return job.name;
                }

                @Override
                public String taskType() {
                    return type;
                }

                @Override
                public int taskIndex() {
                    return task;
                }

                @Override
                public int attempt() {
                    return attempt;
                }

                @Override
                public void count(String counter, long delta) {
                    c.add(counter, delta);
                }
            };
        }

        // ---- map ------------------------------------------------------------------------

        private Path runMap(InputSplit split, int m, int attempt, Counters c) throws Exception {
            Path dir = localJobDir.resolve(String.format("map_%05d", m)).resolve("attempt_" + attempt);
            deleteRecursively(dir);
            Files.createDirectories(dir);
            try {
                Path out = mapAttempt(job.inputs.get(split.input()), split, m, attempt, c, dir);
                return out;
            } catch (Throwable t) {
                deleteRecursively(dir);
                throw t;
            }
        }

        private <I> Path mapAttempt(Input<I, K, V> input, InputSplit split, int m, int attempt, Counters c, Path dir)
                throws IOException {
            CombineDriver<K, V> combine = job.combiner == null ? null
                    : new CombineDriver<>(job.combiner.get(), job.keyCodec, job.valueSerde, c);
            SortBuffer<K, V> buffer = new SortBuffer<>(cfg.sortBufferBytes(), job.keyCodec, job.valueSerde, job.partitioner,
                    reduces, combine, c, dir, cfg.ioBufferBytes());
            Mapper<I, K, V> mapper = input.mapper().get();
            mapper.setup(context("map", m, attempt, c));
            long records = 0;
            try (RecordReader<I> reader = input.format().open(split, job.conf)) {
                while (reader.next()) {
                    mapper.map(reader.current(), buffer);
                    if (++records % 10_000 == 0) {
                        c.add(Counters.MAP_INPUT_RECORDS, 10_000);
                    }
                }
            }
            c.add(Counters.MAP_INPUT_RECORDS, records % 10_000);
            mapper.cleanup(buffer);
            List<Run> spills = buffer.finish();
            Path out = dir.resolve("file.out");
            Run output;
            if (spills.size() == 1) {
                Run only = spills.get(0);
                Files.move(only.file(), out);
                output = new Run(out, only.offsets(), only.lengths(), only.records());
            } else {
                List<Run> fewer = Merger.reduceTo(spills, cfg.mergeFactor(), dir, "map", reduces, cfg.ioBufferBytes(),
                        combine, c);
                output = Merger.merge(fewer, out, reduces, cfg.ioBufferBytes(), combine);
                for (Run r : fewer) {
                    Files.deleteIfExists(r.file());
                }
            }
            output.writeIndex();
            c.add("map.output.materialized.bytes", output.totalBytes());
            return out;
        }

        // ---- reduce ---------------------------------------------------------------------

        private Void runReduce(int r, int attempt, Counters c, List<Path> mapOutputs, FileOutputCommitter committer)
                throws Exception {
            Path dir = localJobDir.resolve(String.format("reduce_%05d", r)).resolve("attempt_" + attempt);
            deleteRecursively(dir);
            Files.createDirectories(dir);
            try {
                // shuffle: fetch this partition's segment of every map output
                List<Run> segments = new ArrayList<>();
                for (int m = 0; m < mapOutputs.size(); m++) {
                    Run mo = Run.readIndexed(mapOutputs.get(m));
                    if (mo.records()[r] == 0) {
                        continue;
                    }
                    Path seg = dir.resolve(String.format("map_%05d.seg", m));
                    long len = mo.lengths()[r];
                    try (FileChannel src = FileChannel.open(mo.file(), StandardOpenOption.READ);
                         FileChannel dst = FileChannel.open(seg, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                        long done = 0;
                        while (done < len) {
                            long n = src.transferTo(mo.offsets()[r] + done, len - done, dst);
                            if (n <= 0) {
                                throw new IOException("short read fetching map output " + mo.file());
                            }
                            done += n;
                        }
                    }
                    c.add(Counters.SHUFFLE_BYTES, len);
                    segments.add(new Run(seg, new long[]{0}, new long[]{len}, new long[]{mo.records()[r]}));
                }
                List<Run> runs = Merger.reduceTo(segments, cfg.mergeFactor(), dir, "reduce", 1, cfg.ioBufferBytes(), null, c);

                committer.setupTask(r, attempt);
                FileSystem fs = committer.outputDir().getFileSystem(job.conf);
                Reducer<K, V, KO, VO> reducer = job.reducer.get();
                reducer.setup(context("reduce", r, attempt, c));
                List<SegmentReader> readers = new ArrayList<>();
                long[] out = {0};
                try (RecordWriter<KO, VO> writer = job.output.open(fs, committer.attemptDir(r, attempt), r, job.conf)) {
                    Emitter<KO, VO> emit = (k, v) -> {
                        writer.write(k, v);
                        out[0]++;
                    };
                    for (Run run : runs) {
                        readers.add(new SegmentReader(run, 0, cfg.ioBufferBytes()));
                    }
                    RecordSource src = readers.size() == 1 ? readers.get(0) : new MergingSource(readers);
                    KeyCodec<K> kc = job.keyCodec;
                    Grouper g = new Grouper(src, kc::groupLength);
                    BinaryReader keyReader = new BinaryReader();
                    long groups = 0;
                    while (g.nextGroup()) {
                        groups++;
                        K key = kc.read(keyReader.reset(g.groupKey(), 0, g.groupKeyLen()));
                        Iterator<V> values = g.values(job.valueSerde);
                        reducer.reduce(key, values, emit);
                    }
                    reducer.cleanup(emit);
                    c.add(Counters.REDUCE_INPUT_GROUPS, groups);
                    c.add(Counters.REDUCE_INPUT_RECORDS, g.records());
                } finally {
                    for (SegmentReader sr : readers) {
                        sr.close();
                    }
                }
                c.add(Counters.REDUCE_OUTPUT_RECORDS, out[0]);
                committer.commitTask(r, attempt);
                return null;
            } finally {
                deleteRecursively(dir);
            }
        }
    }

    @FunctionalInterface
    private interface TaskBody<T> {
        T run(int task) throws Exception;
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    static void deleteRecursively(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> {
                try {
                    Files.deleteIfExists(x);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
