package dev.tandem.batch.mapreduce;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Named long counters. Engine counter names are the constants below; user counters are free text. */
public final class Counters {

    public static final String MAP_INPUT_RECORDS = "map.input.records";
    public static final String MAP_OUTPUT_RECORDS = "map.output.records";
    public static final String MAP_OUTPUT_BYTES = "map.output.bytes";
    public static final String COMBINE_INPUT_RECORDS = "combine.input.records";
    public static final String COMBINE_OUTPUT_RECORDS = "combine.output.records";
    public static final String SPILLS = "spill.count";
    public static final String SPILLED_RECORDS = "spill.records";
    public static final String SPILLED_BYTES = "spill.bytes";
    public static final String MERGE_PASSES = "merge.intermediate.passes";
    public static final String SHUFFLE_BYTES = "shuffle.bytes";
    public static final String REDUCE_INPUT_GROUPS = "reduce.input.groups";
    public static final String REDUCE_INPUT_RECORDS = "reduce.input.records";
    public static final String REDUCE_OUTPUT_RECORDS = "reduce.output.records";
    public static final String FAILED_ATTEMPTS = "task.failed.attempts";
    public static final String MAP_TASKS = "map.tasks";
    public static final String REDUCE_TASKS = "reduce.tasks";
    public static final String PEAK_SORT_BUFFER_BYTES = "sort.buffer.peak.bytes";
    public static final String SPLIT_MS = "time.split.ms";
    public static final String MAP_PHASE_MS = "time.map.ms";
    public static final String REDUCE_PHASE_MS = "time.reduce.ms";
    public static final String COMMIT_MS = "time.commit.ms";
    public static final String TOTAL_MS = "time.total.ms";

    private final Map<String, LongAdder> values = new ConcurrentHashMap<>();

    public void add(String name, long delta) {
        values.computeIfAbsent(name, k -> new LongAdder()).add(delta);
    }

    /** Keeps the maximum (for peak gauges). */
    public synchronized void max(String name, long value) {
        LongAdder a = values.computeIfAbsent(name, k -> new LongAdder());
        long cur = a.sum();
        if (value > cur) {
            a.add(value - cur);
        }
    }

    public long get(String name) {
        LongAdder a = values.get(name);
        return a == null ? 0 : a.sum();
    }

    /** Adds every counter of {@code other} (peaks are maxed). */
    public void addAll(Counters other) {
        other.values.forEach((k, v) -> {
            if (k.endsWith(".peak.bytes")) {
                max(k, v.sum());
            } else {
                add(k, v.sum());
            }
        });
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> m = new TreeMap<>();
        values.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
