package dev.tandem.speed.logic;

import dev.tandem.core.time.IngestTags;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.RealtimeCodec;
import dev.tandem.speed.model.ChangelogEntry;
import dev.tandem.speed.model.Contribution;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.util.Collector;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * Folds contributions into the absolute aggregate of one changelog key (view, dims, bucket, tag)
 * with core's monoid ({@link Aggregate#merge}), and writes it out at most once per
 * {@code emitIntervalMs} (processing time) while it changes: the changelog holds absolute values,
 * so skipping intermediate ones loses nothing.
 *
 * <p>A tag leaves the retention when the watermark (ingest time) passes tag + 1 h + retention: its
 * key then gets a tombstone and its state and timers are cleared. The end of a bounded input
 * (watermark = +∞) is not the passage of time: it flushes pending values instead.
 */
public class ViewAggregator extends KeyedProcessFunction<String, Contribution, ChangelogEntry> {

    private static final long serialVersionUID = 1L;

    private final long retentionMs;
    private final long emitIntervalMs;
    /** key, view, tag and the absolute aggregate bytes. */
    private transient ValueState<Contribution> current;
    /** The pending emit timer (processing time), if the value changed since it was last written. */
    private transient ValueState<Long> emitAt;
    private transient Counter emitted;
    private transient Counter tombstones;
    /** Keys with a value not yet written (this subtask); emptied at every checkpoint barrier by {@link Operator}. */
    private transient Set<String> dirty;

    public ViewAggregator(long retentionMs, long emitIntervalMs) {
        this.retentionMs = retentionMs;
        this.emitIntervalMs = emitIntervalMs;
    }

    /** When a tag leaves the speed layer's retention (in ingest time). */
    public static long expiryOf(long tag, long retentionMs) {
        return tag + IngestTags.HOUR_MS + retentionMs;
    }

    @Override
    public void open(OpenContext ctx) {
        current = getRuntimeContext().getState(
                new ValueStateDescriptor<>("aggregate", TypeInformation.of(Contribution.class)));
        emitAt = getRuntimeContext().getState(new ValueStateDescriptor<>("emit-at", Types.LONG));
        emitted = getRuntimeContext().getMetricGroup().counter("changelogWrites");
        tombstones = getRuntimeContext().getMetricGroup().counter("tombstones");
        dirty = new HashSet<>();
    }

    @Override
    public void processElement(Contribution c, Context ctx, Collector<ChangelogEntry> out) throws Exception {
        Contribution cur = current.value();
        if (cur == null) {
            cur = new Contribution(c.key, c.view, c.tag, c.aggregate);
            ctx.timerService().registerEventTimeTimer(expiryOf(c.tag, retentionMs));
        } else {
            Aggregate merged = cur.toAggregate().merge(c.toAggregate());
            cur.aggregate = merged.toBytes();
        }
        current.update(cur);
        if (emitAt.value() == null) {
            long at = ctx.timerService().currentProcessingTime() + emitIntervalMs;
            ctx.timerService().registerProcessingTimeTimer(at);
            emitAt.update(at);
            dirty.add(ctx.getCurrentKey());
        }
    }

    @Override
    public void onTimer(long t, OnTimerContext ctx, Collector<ChangelogEntry> out) throws Exception {
        Contribution cur = current.value();
        if (cur == null) {
            return;
        }
        Long pendingEmit = emitAt.value();
        if (ctx.timeDomain() == org.apache.flink.streaming.api.TimeDomain.PROCESSING_TIME) {
            if (pendingEmit != null && pendingEmit == t) {
                emit(cur, out);
                emitAt.clear();
                dirty.remove(ctx.getCurrentKey());
            }
            return;
        }
        if (ctx.timerService().currentWatermark() == Long.MAX_VALUE) {
            // end of a bounded input: write what is pending, keep the value
            if (pendingEmit != null) {
                ctx.timerService().deleteProcessingTimeTimer(pendingEmit);
                emitAt.clear();
                emit(cur, out);
            }
            return;
        }
        if (t >= expiryOf(cur.tag, retentionMs)) {
            if (pendingEmit != null) {
                ctx.timerService().deleteProcessingTimeTimer(pendingEmit);
                emitAt.clear();
            }
            current.clear();
            dirty.remove(ctx.getCurrentKey());
            tombstones.inc();
            out.collect(new ChangelogEntry(cur.key.getBytes(StandardCharsets.UTF_8), null));
        }
    }

    /**
     * Writes the current key's value if it changed since it was last written. The emit timer stays
     * registered and finds nothing to do when it fires.
     */
    void emitPending(Collector<ChangelogEntry> out) throws Exception {
        Contribution cur = current.value();
        if (cur != null && emitAt.value() != null) {
            emitAt.clear();
            emit(cur, out);
        }
    }

    private Set<String> drainDirty() {
        Set<String> keys = dirty;
        dirty = new HashSet<>();
        return keys;
    }

    /**
     * Runs a {@link ViewAggregator} and, just before each checkpoint barrier, writes every key that
     * changed since it was last written: the transaction that checkpoint commits then holds the
     * newest values, so a change is visible one commit after it arrives rather than waiting for its
     * emit timer and then for the next commit. (Still at most one write per key per emit interval
     * plus one per checkpoint; the changelog holds absolute values.)
     */
    public static final class Operator extends KeyedProcessOperator<String, Contribution, ChangelogEntry> {
        private static final long serialVersionUID = 1L;

        public Operator(ViewAggregator aggregator) {
            super(aggregator);
        }

        @Override
        public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
            super.prepareSnapshotPreBarrier(checkpointId);
            ViewAggregator fn = (ViewAggregator) getUserFunction();
            TimestampedCollector<ChangelogEntry> out = new TimestampedCollector<>(output);
            out.eraseTimestamp();
            for (String key : fn.drainDirty()) {
                setCurrentKey(key);
                fn.emitPending(out);
            }
        }
    }

    private void emit(Contribution cur, Collector<ChangelogEntry> out) {
        emitted.inc();
        out.collect(new ChangelogEntry(cur.key.getBytes(StandardCharsets.UTF_8),
                RealtimeCodec.encodeValue(cur.toAggregate())));
    }
}
