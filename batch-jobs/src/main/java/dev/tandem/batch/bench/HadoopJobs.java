package dev.tandem.batch.bench;

import dev.tandem.batch.mapreduce.BinaryReader;
import dev.tandem.batch.mapreduce.BinaryWriter;
import dev.tandem.batch.mapreduce.Combiner;
import dev.tandem.batch.mapreduce.Emitter;
import dev.tandem.batch.mapreduce.KeyCodec;
import dev.tandem.batch.mapreduce.KeyValue;
import dev.tandem.batch.mapreduce.Serde;
import dev.tandem.batch.mapreduce.Serdes;
import dev.tandem.batch.mapreduce.TaskContext;
import dev.tandem.batch.mapreduce.jobs.ViewJobs;
import dev.tandem.batch.mapreduce.jobs.ViewSerdes;
import dev.tandem.batch.mapreduce.jobs.ViewSerdes.JoinKey;
import dev.tandem.batch.mapreduce.jobs.ViewSerdes.ViewSlot;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.Fact;
import dev.tandem.core.view.Terms;
import dev.tandem.core.view.Views;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.SequenceFile;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.WritableComparator;
import org.apache.hadoop.mapreduce.Counter;
import org.apache.hadoop.mapreduce.CounterGroup;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.Partitioner;
import org.apache.hadoop.mapreduce.TaskInputOutputContext;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.hadoop.mapreduce.lib.input.MultipleInputs;
import org.apache.hadoop.mapreduce.lib.input.SequenceFileInputFormat;
import org.apache.hadoop.mapreduce.lib.input.TextInputFormat;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;
import org.apache.hadoop.mapreduce.lib.output.SequenceFileOutputFormat;
import org.apache.hadoop.mapreduce.lib.output.TextOutputFormat;
import org.apache.parquet.avro.AvroParquetInputFormat;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.avro.GenericDataSupplier;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The comparison's Hadoop side: jobs on Hadoop's own MapReduce ({@code LocalJobRunner} in local
 * mode; the MapReduce classes come with the shaded {@code hadoop-client-api} 3.5.0 that Spark
 * already brings).
 *
 * <ul>
 *   <li>Word count the way a Hadoop user writes it: {@code Text}/{@code LongWritable}, a summing
 *       combiner and reducer, {@code TextInputFormat}, {@code TextOutputFormat}; terms from core's
 *       {@link Terms#tokenize}, as on every other system.</li>
 *   <li>The three views as the same three steps as on the hand-written engine (dedup, attribution,
 *       views), running <b>the engine's own map, combine and reduce functions</b>
 *       ({@link ViewJobs}) through thin adapters: keys and values travel as {@link BytesWritable}
 *       holding the engine's encodings, whose bytes sort like the keys (so Hadoop's raw byte
 *       comparator sorts them right); the attribution step's secondary sort is a grouping
 *       comparator and a partitioner on the impression_id prefix ({@link KeyCodec#groupLength}).
 *       No view is re-implemented: every fact still goes through core's view definitions.</li>
 * </ul>
 */
final class HadoopJobs {

    static final String CUTOFF = "tandem.cutoff";
    static final String USER_COUNTERS = "tandem";

    private HadoopJobs() {
    }

    /** Hadoop in local mode with {@code slots} parallel map and reduce tasks. */
    static Configuration localConf(int slots, int sortMb, String localDir) {
        Configuration c = new Configuration();
        c.set("mapreduce.framework.name", "local");
        c.set("fs.defaultFS", "file:///");
        c.setInt("mapreduce.local.map.tasks.maximum", slots);
        c.setInt("mapreduce.local.reduce.tasks.maximum", slots);
        c.setInt("mapreduce.task.io.sort.mb", sortMb);
        c.set("mapreduce.cluster.local.dir", localDir + "/local");
        c.set("hadoop.tmp.dir", localDir + "/tmp");
        c.set("mapreduce.jobtracker.staging.root.dir", localDir + "/staging");
        return c;
    }

    // ---- word count ---------------------------------------------------------------------------

    public static final class TokenMapper extends org.apache.hadoop.mapreduce.Mapper<LongWritable, Text, Text, LongWritable> {
        private static final LongWritable ONE = new LongWritable(1);
        private final Text word = new Text();

        @Override
        protected void map(LongWritable offset, Text line, Context ctx) throws IOException, InterruptedException {
            for (String t : Terms.tokenize(line.toString())) {
                word.set(t);
                ctx.write(word, ONE);
            }
        }
    }

    public static final class SumReducer extends org.apache.hadoop.mapreduce.Reducer<Text, LongWritable, Text, LongWritable> {
        private final LongWritable sum = new LongWritable();

        @Override
        protected void reduce(Text key, Iterable<LongWritable> values, Context ctx) throws IOException, InterruptedException {
            long s = 0;
            for (LongWritable v : values) {
                s += v.get();
            }
            sum.set(s);
            ctx.write(key, sum);
        }
    }

    static Job wordCount(Configuration conf, Path text, Path out, int reduceTasks) throws IOException {
        Job job = Job.getInstance(conf, "wordcount");
        job.setJarByClass(HadoopJobs.class);
        job.setMapperClass(TokenMapper.class);
        job.setCombinerClass(SumReducer.class);
        job.setReducerClass(SumReducer.class);
        job.setOutputKeyClass(Text.class);
        job.setOutputValueClass(LongWritable.class);
        job.setInputFormatClass(TextInputFormat.class);
        job.setOutputFormatClass(TextOutputFormat.class);
        job.setNumReduceTasks(reduceTasks);
        FileInputFormat.addInputPath(job, text);
        FileOutputFormat.setOutputPath(job, out);
        return job;
    }

    // ---- adapters: the engine's functions on Hadoop ----------------------------------------------

    private static TaskContext taskContext(TaskInputOutputContext<?, ?, ?, ?> ctx, String type) {
        return new TaskContext() {
            @Override
            public String jobName() {
                return ctx.getJobName();
            }

            @Override
            public String taskType() {
                return type;
            }

            @Override
            public int taskIndex() {
                return ctx.getTaskAttemptID().getTaskID().getId();
            }

            @Override
            public int attempt() {
                return ctx.getTaskAttemptID().getId();
            }

            @Override
            public void count(String counter, long delta) {
                ctx.getCounter(USER_COUNTERS, counter).increment(delta);
            }
        };
    }

    /** Serializes engine keys and values into reusable {@link BytesWritable}s and writes them. */
    private static final class BytesEmitter<K, V> implements Emitter<K, V> {
        private final Serde<K> keys;
        private final Serde<V> values;
        private final TaskInputOutputContext<?, ?, BytesWritable, BytesWritable> ctx;
        private final BinaryWriter kw = new BinaryWriter(64);
        private final BinaryWriter vw = new BinaryWriter(256);
        private final BytesWritable k = new BytesWritable();
        private final BytesWritable v = new BytesWritable();

        BytesEmitter(Serde<K> keys, Serde<V> values, TaskInputOutputContext<?, ?, BytesWritable, BytesWritable> ctx) {
            this.keys = keys;
            this.values = values;
            this.ctx = ctx;
        }

        @Override
        public void emit(K key, V value) throws IOException {
            kw.reset();
            keys.write(key, kw);
            vw.reset();
            values.write(value, vw);
            k.set(kw.bytes(), 0, kw.size());
            v.set(vw.bytes(), 0, vw.size());
            try {
                ctx.write(k, v);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
    }

    private static <T> T decode(Serde<T> serde, BytesWritable b, BinaryReader r) {
        return serde.read(r.reset(b.getBytes(), 0, b.getLength()));
    }

    /** A Hadoop mapper running an engine mapper over input records of type I. */
    abstract static class MapAdapter<KI, VI, I, K, V> extends org.apache.hadoop.mapreduce.Mapper<KI, VI, BytesWritable, BytesWritable> {
        private final KeyCodec<K> keys;
        private final Serde<V> values;
        private dev.tandem.batch.mapreduce.Mapper<I, K, V> mapper;
        private Emitter<K, V> out;

        MapAdapter(KeyCodec<K> keys, Serde<V> values) {
            this.keys = keys;
            this.values = values;
        }

        abstract dev.tandem.batch.mapreduce.Mapper<I, K, V> create(Configuration conf);

        abstract I record(KI key, VI value);

        @Override
        protected void setup(Context ctx) {
            mapper = create(ctx.getConfiguration());
            mapper.setup(taskContext(ctx, "MAP"));
            out = new BytesEmitter<>(keys, values, ctx);
        }

        @Override
        protected void map(KI key, VI value, Context ctx) throws IOException {
            mapper.map(record(key, value), out);
        }

        @Override
        protected void cleanup(Context ctx) throws IOException {
            mapper.cleanup(out);
        }
    }

    /** A mapper over a SequenceFile of engine-encoded (key, value) records. */
    abstract static class RecordMapAdapter<RK, RV, K, V> extends MapAdapter<BytesWritable, BytesWritable, KeyValue<RK, RV>, K, V> {
        private final Serde<RK> inKeys;
        private final Serde<RV> inValues;
        private final BinaryReader r = new BinaryReader();

        RecordMapAdapter(Serde<RK> inKeys, Serde<RV> inValues, KeyCodec<K> keys, Serde<V> values) {
            super(keys, values);
            this.inKeys = inKeys;
            this.inValues = inValues;
        }

        @Override
        KeyValue<RK, RV> record(BytesWritable key, BytesWritable value) {
            RK k = decode(inKeys, key, r);
            return new KeyValue<>(k, decode(inValues, value, r));
        }
    }

    /** The values of one Hadoop reduce group, decoded one at a time. */
    private static <V> Iterator<V> decoding(Iterable<BytesWritable> values, Serde<V> serde) {
        Iterator<BytesWritable> it = values.iterator();
        BinaryReader r = new BinaryReader();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public V next() {
                return decode(serde, it.next(), r);
            }
        };
    }

    /** A Hadoop reducer (or combiner) running an engine reducer. */
    abstract static class ReduceAdapter<K, V, KO, VO>
            extends org.apache.hadoop.mapreduce.Reducer<BytesWritable, BytesWritable, BytesWritable, BytesWritable> {
        private final KeyCodec<K> keys;
        private final Serde<V> values;
        private final Serde<KO> outKeys;
        private final Serde<VO> outValues;
        private final Supplier<? extends dev.tandem.batch.mapreduce.Reducer<K, V, KO, VO>> factory;
        private final BinaryReader kr = new BinaryReader();
        private dev.tandem.batch.mapreduce.Reducer<K, V, KO, VO> reducer;
        private Emitter<KO, VO> out;

        ReduceAdapter(KeyCodec<K> keys, Serde<V> values, Serde<KO> outKeys, Serde<VO> outValues,
                      Supplier<? extends dev.tandem.batch.mapreduce.Reducer<K, V, KO, VO>> factory) {
            this.keys = keys;
            this.values = values;
            this.outKeys = outKeys;
            this.outValues = outValues;
            this.factory = factory;
        }

        @Override
        protected void setup(Context ctx) {
            reducer = factory.get();
            reducer.setup(taskContext(ctx, "REDUCE"));
            out = new BytesEmitter<>(outKeys, outValues, ctx);
        }

        @Override
        protected void reduce(BytesWritable key, Iterable<BytesWritable> vs, Context ctx) throws IOException {
            reducer.reduce(decode(keys, key, kr), decoding(vs, values), out);
        }

        @Override
        protected void cleanup(Context ctx) throws IOException {
            reducer.cleanup(out);
        }
    }

    /** A Hadoop combiner running an engine combiner. */
    abstract static class CombineAdapter<K, V> extends ReduceAdapter<K, V, K, V> {
        CombineAdapter(KeyCodec<K> keys, Serde<V> values, Supplier<? extends Combiner<K, V>> factory) {
            super(keys, values, keys, values, () -> {
                Combiner<K, V> c = factory.get();
                return (key, vs, out) -> c.combine(key, vs, out);
            });
        }
    }

    /** Groups and partitions by the grouping prefix of the attribution join key (a secondary sort). */
    public static final class JoinGrouping extends WritableComparator {
        public JoinGrouping() {
            super(BytesWritable.class);
        }

        @Override
        public int compare(byte[] b1, int s1, int l1, byte[] b2, int s2, int l2) {
            int n1 = readInt(b1, s1);
            int n2 = readInt(b2, s2);
            return compareBytes(b1, s1 + 4, ViewSerdes.JOIN_KEY.groupLength(b1, s1 + 4, n1),
                    b2, s2 + 4, ViewSerdes.JOIN_KEY.groupLength(b2, s2 + 4, n2));
        }
    }

    public static final class JoinPartitioner extends Partitioner<BytesWritable, BytesWritable> {
        @Override
        public int getPartition(BytesWritable key, BytesWritable value, int n) {
            int len = ViewSerdes.JOIN_KEY.groupLength(key.getBytes(), 0, key.getLength());
            return (WritableComparator.hashBytes(key.getBytes(), len) & Integer.MAX_VALUE) % n;
        }
    }

    /** Aggregates leave the views step with their view's name, so they can be read back alone. */
    static final Serde<Aggregate> AGGREGATE = new Serde<>() {
        @Override
        public void write(Aggregate a, BinaryWriter out) {
            out.writeString(a.view().name());
            out.writeLengthPrefixed(a.toBytes());
        }

        @Override
        public Aggregate read(BinaryReader in) {
            return Aggregate.fromBytes(Views.byName(in.readString()), in.readLengthPrefixed());
        }
    };

    // 1. dedup
    public static final class ValidateMap extends MapAdapter<Void, GenericRecord, GenericRecord, String, IngestedEvent> {
        public ValidateMap() {
            super(Serdes.UTF8_KEY, ViewSerdes.EVENT);
        }

        @Override
        dev.tandem.batch.mapreduce.Mapper<GenericRecord, String, IngestedEvent> create(Configuration conf) {
            return new ViewJobs.ValidateMapper(conf.getLong(CUTOFF, Long.MIN_VALUE));
        }

        @Override
        GenericRecord record(Void key, GenericRecord value) {
            return value;
        }
    }

    public static final class FirstCopyCombine extends CombineAdapter<String, IngestedEvent> {
        public FirstCopyCombine() {
            super(Serdes.UTF8_KEY, ViewSerdes.EVENT, ViewJobs.FirstCopy::new);
        }
    }

    public static final class FirstCopyReduce extends ReduceAdapter<String, IngestedEvent, String, IngestedEvent> {
        public FirstCopyReduce() {
            super(Serdes.UTF8_KEY, ViewSerdes.EVENT, Serdes.UTF8_KEY, ViewSerdes.EVENT, ViewJobs.FirstCopy::new);
        }
    }

    // 2. attribution
    public static final class JoinMap extends RecordMapAdapter<String, IngestedEvent, JoinKey, IngestedEvent> {
        public JoinMap() {
            super(Serdes.UTF8_KEY, ViewSerdes.EVENT, ViewSerdes.JOIN_KEY, ViewSerdes.EVENT);
        }

        @Override
        dev.tandem.batch.mapreduce.Mapper<KeyValue<String, IngestedEvent>, JoinKey, IngestedEvent> create(Configuration c) {
            return new ViewJobs.JoinMapper();
        }
    }

    public static final class AttributeReduce extends ReduceAdapter<JoinKey, IngestedEvent, String, Fact> {
        public AttributeReduce() {
            super(ViewSerdes.JOIN_KEY, ViewSerdes.EVENT, Serdes.UTF8_KEY, ViewSerdes.FACT, ViewJobs.AttributeClicks::new);
        }
    }

    // 3. views
    public static final class EventFactsMap extends RecordMapAdapter<String, IngestedEvent, ViewSlot, byte[]> {
        public EventFactsMap() {
            super(Serdes.UTF8_KEY, ViewSerdes.EVENT, ViewSerdes.VIEW_SLOT, Serdes.BYTES);
        }

        @Override
        dev.tandem.batch.mapreduce.Mapper<KeyValue<String, IngestedEvent>, ViewSlot, byte[]> create(Configuration c) {
            return new ViewJobs.EventFactsMapper();
        }
    }

    public static final class AttributedFactsMap extends RecordMapAdapter<String, Fact, ViewSlot, byte[]> {
        public AttributedFactsMap() {
            super(Serdes.UTF8_KEY, ViewSerdes.FACT, ViewSerdes.VIEW_SLOT, Serdes.BYTES);
        }

        @Override
        dev.tandem.batch.mapreduce.Mapper<KeyValue<String, Fact>, ViewSlot, byte[]> create(Configuration c) {
            return new ViewJobs.AttributedFactsMapper();
        }
    }

    public static final class MergePartialsCombine extends CombineAdapter<ViewSlot, byte[]> {
        public MergePartialsCombine() {
            super(ViewSerdes.VIEW_SLOT, Serdes.BYTES, ViewJobs.MergePartials::new);
        }
    }

    public static final class MergeRowsReduce extends ReduceAdapter<ViewSlot, byte[], ViewSlot, Aggregate> {
        public MergeRowsReduce() {
            super(ViewSerdes.VIEW_SLOT, Serdes.BYTES, ViewSerdes.VIEW_SLOT, AGGREGATE, ViewJobs.MergeRows::new);
        }
    }

    private static Job bytesJob(Configuration conf, String name, int reduceTasks, Path out) throws IOException {
        Job job = Job.getInstance(conf, name);
        job.setJarByClass(HadoopJobs.class);
        job.setMapOutputKeyClass(BytesWritable.class);
        job.setMapOutputValueClass(BytesWritable.class);
        job.setOutputKeyClass(BytesWritable.class);
        job.setOutputValueClass(BytesWritable.class);
        job.setOutputFormatClass(SequenceFileOutputFormat.class);
        job.setNumReduceTasks(reduceTasks);
        FileOutputFormat.setOutputPath(job, out);
        return job;
    }

    /** The three jobs of the views, in order; each one's output is the next one's input. */
    static List<Job> viewJobs(Configuration base, List<Path> masterFiles, long cutoff, Path work, Path viewsOut,
                              int reduceTasks) throws IOException {
        Configuration conf = new Configuration(base);
        conf.setLong(CUTOFF, cutoff);
        AvroReadSupport.setAvroDataSupplier(conf, GenericDataSupplier.class);
        Path deduped = new Path(work, "dedup");
        Path attributed = new Path(work, "attributed");

        Job dedup = bytesJob(conf, "dedup", reduceTasks, deduped);
        dedup.setInputFormatClass(AvroParquetInputFormat.class);
        for (Path f : masterFiles) {
            FileInputFormat.addInputPath(dedup, f);
        }
        dedup.setMapperClass(ValidateMap.class);
        dedup.setCombinerClass(FirstCopyCombine.class);
        dedup.setReducerClass(FirstCopyReduce.class);

        Job join = bytesJob(conf, "attribution", reduceTasks, attributed);
        join.setInputFormatClass(SequenceFileInputFormat.class);
        FileInputFormat.addInputPath(join, deduped);
        join.setMapperClass(JoinMap.class);
        join.setReducerClass(AttributeReduce.class);
        join.setPartitionerClass(JoinPartitioner.class);
        join.setGroupingComparatorClass(JoinGrouping.class);

        Job views = bytesJob(conf, "views", reduceTasks, viewsOut);
        MultipleInputs.addInputPath(views, deduped, SequenceFileInputFormat.class, EventFactsMap.class);
        MultipleInputs.addInputPath(views, attributed, SequenceFileInputFormat.class, AttributedFactsMap.class);
        views.setCombinerClass(MergePartialsCombine.class);
        views.setReducerClass(MergeRowsReduce.class);
        return List.of(dedup, join, views);
    }

    /** Runs jobs in order, failing on the first that fails; returns the summed counters. */
    static Map<String, Long> runAll(List<Job> jobs) throws Exception {
        Map<String, Long> sums = new LinkedHashMap<>();
        for (Job j : jobs) {
            if (!j.waitForCompletion(false)) {
                throw new IllegalStateException("Hadoop job " + j.getJobName() + " failed: " + j.getStatus().getFailureInfo());
            }
            for (CounterGroup g : j.getCounters()) {
                for (Counter c : g) {
                    sums.merge(c.getName(), c.getValue(), Long::sum);
                }
            }
        }
        return sums;
    }

    /** Every (view slot, aggregate) pair of the views step's SequenceFile output. */
    static List<KeyValue<ViewSlot, Aggregate>> readViews(Configuration conf, Path dir) throws IOException {
        List<KeyValue<ViewSlot, Aggregate>> out = new ArrayList<>();
        FileSystem fs = dir.getFileSystem(conf);
        BinaryReader r = new BinaryReader();
        for (FileStatus st : fs.listStatus(dir, p -> p.getName().startsWith("part-"))) {
            try (SequenceFile.Reader reader = new SequenceFile.Reader(conf, SequenceFile.Reader.file(st.getPath()))) {
                BytesWritable k = new BytesWritable();
                BytesWritable v = new BytesWritable();
                while (reader.next(k, v)) {
                    ViewSlot slot = decode(ViewSerdes.VIEW_SLOT, k, r);
                    out.add(new KeyValue<>(slot, decode(AGGREGATE, v, r)));
                }
            }
        }
        return out;
    }
}
