package dev.tandem.batch.mapreduce;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A job definition: inputs with their mappers, the map output key codec and value serde, an
 * optional combiner, the partitioner, the reducer and the output. Pure data; {@link JobRunner}
 * runs it.
 */
public final class Job<K, V, KO, VO> {

    final String name;
    final List<Input<?, K, V>> inputs;
    final KeyCodec<K> keyCodec;
    final Serde<V> valueSerde;
    final Supplier<? extends Combiner<K, V>> combiner;
    final Partitioner partitioner;
    final int reduceTasks;
    final Supplier<? extends Reducer<K, V, KO, VO>> reducer;
    final OutputFormat<KO, VO> output;
    final Path outputDir;
    final Configuration conf;

    private Job(Builder<K, V, KO, VO> b) {
        this.name = Objects.requireNonNull(b.name, "name");
        if (b.inputs.isEmpty()) {
            throw new IllegalArgumentException("job " + b.name + " has no input");
        }
        this.inputs = List.copyOf(b.inputs);
        this.keyCodec = Objects.requireNonNull(b.keyCodec, "keyCodec");
        this.valueSerde = Objects.requireNonNull(b.valueSerde, "valueSerde");
        this.combiner = b.combiner;
        this.partitioner = b.partitioner == null ? HashPartitioner.INSTANCE : b.partitioner;
        this.reduceTasks = b.reduceTasks;
        this.reducer = Objects.requireNonNull(b.reducer, "reducer");
        this.output = Objects.requireNonNull(b.output, "output");
        this.outputDir = Objects.requireNonNull(b.outputDir, "outputDir");
        this.conf = b.conf == null ? new Configuration() : b.conf;
    }

    public String name() {
        return name;
    }

    public Path outputDir() {
        return outputDir;
    }

    public List<Input<?, K, V>> inputs() {
        return inputs;
    }

    public KeyCodec<K> keyCodec() {
        return keyCodec;
    }

    public Configuration conf() {
        return conf;
    }

    public static <K, V, KO, VO> Builder<K, V, KO, VO> builder(String name, KeyCodec<K> keyCodec, Serde<V> valueSerde) {
        Builder<K, V, KO, VO> b = new Builder<>();
        b.name = name;
        b.keyCodec = keyCodec;
        b.valueSerde = valueSerde;
        return b;
    }

    public static final class Builder<K, V, KO, VO> {
        private String name;
        private final List<Input<?, K, V>> inputs = new ArrayList<>();
        private KeyCodec<K> keyCodec;
        private Serde<V> valueSerde;
        private Supplier<? extends Combiner<K, V>> combiner;
        private Partitioner partitioner;
        private int reduceTasks = -1;
        private Supplier<? extends Reducer<K, V, KO, VO>> reducer;
        private OutputFormat<KO, VO> output;
        private Path outputDir;
        private Configuration conf;

        public <I> Builder<K, V, KO, VO> input(InputFormat<I> format, List<Path> paths,
                                              Supplier<? extends Mapper<I, K, V>> mapper) {
            inputs.add(new Input<>(format, paths, mapper));
            return this;
        }

        public Builder<K, V, KO, VO> combiner(Supplier<? extends Combiner<K, V>> c) {
            this.combiner = c;
            return this;
        }

        public Builder<K, V, KO, VO> partitioner(Partitioner p) {
            this.partitioner = p;
            return this;
        }

        /** Reduce partitions for this job; by default the engine config's. */
        public Builder<K, V, KO, VO> reduceTasks(int n) {
            this.reduceTasks = n;
            return this;
        }

        public Builder<K, V, KO, VO> reducer(Supplier<? extends Reducer<K, V, KO, VO>> r) {
            this.reducer = r;
            return this;
        }

        public Builder<K, V, KO, VO> output(OutputFormat<KO, VO> format, Path dir) {
            this.output = format;
            this.outputDir = dir;
            return this;
        }

        public Builder<K, V, KO, VO> conf(Configuration c) {
            this.conf = c;
            return this;
        }

        public Job<K, V, KO, VO> build() {
            return new Job<>(this);
        }
    }
}
