package dev.tandem.speed.logic;

import dev.tandem.speed.model.PositionedEvent;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The common part of {@link Dedup} and {@link AttributionJoin}: records are keyed by shard
 * ({@link Shards}), wait in memory until the watermark (ingest time) passes them, and are then
 * processed one by one <em>in log order</em> (ingest time, partition, offset) across all shards of
 * this subtask — the order core's reference evaluator uses. Their lasting state lives in one map per
 * (shard, ingest hour), dropped by one event-time timer per (shard, hour) once the watermark passes
 * the hour + retention: no per-record timer and no per-record state entry.
 *
 * <p>The waiting records live in memory (a priority queue in log order). A record still waiting when
 * a checkpoint is taken is written once to keyed state — a map per shard ("held", by a sequence
 * number kept in {@link PositionedEvent#heldKey}) — and removed from it when it is released. So a
 * checkpoint writes only the records that arrived since the previous one and still wait (with the
 * changelog state backend each put and remove is one logged change), instead of every waiting record
 * again at every checkpoint; a record released before any checkpoint saw it is never written. A
 * restore (also with another parallelism) finds each held record with its shard. The set of live
 * hours is operator state (union: after rescaling, a subtask looks up at worst a few hours it does
 * not hold).
 */
abstract class LogOrderedOperator<OUT> extends AbstractStreamOperator<OUT> implements Triggerable<Integer, Long> {

    private static final long serialVersionUID = 1L;

    /** The metric counting records that arrived behind the watermark (must stay 0, README "Ordering"). */
    public static final String BEHIND_WATERMARK = "behindWatermark";

    protected final long retentionMs;
    /** The name of the keyed map state of waiting records, per shard, by {@link PositionedEvent#heldKey}. */
    static final String HELD_STATE = "held";
    /** Before 2026-11-27 (session 6) waiting records were rewritten, per shard, to this list state at every checkpoint. */
    static final String LEGACY_WAITING_STATE = "waiting";

    private transient PriorityQueue<PositionedEvent> waiting;
    private transient MapState<Long, PositionedEvent> held;
    /** The last {@link PositionedEvent#heldKey} given out (keys are unique per shard: see initializeState). */
    private transient long lastHeldKey;
    /** Ingest hours that may hold state in some shard of this subtask, ascending. */
    protected transient NavigableSet<Long> liveHours;
    private transient ListState<Long> liveHoursState;
    /** (hour, shard) pairs whose expiry timer is registered (since this subtask started). */
    private transient Set<Long> expiryTimers;
    private transient InternalTimerService<Long> timers;
    private transient StreamRecord<OUT> reuse;
    private transient Counter behindWatermark;
    private transient long watermark;

    protected LogOrderedOperator(long retentionMs) {
        this.retentionMs = retentionMs;
    }

    /** The shard (= key) of a record. */
    protected abstract int shardOf(PositionedEvent e);

    /** Processes a record; called in log order, with the record's shard as the current key. */
    protected abstract void process(PositionedEvent e) throws Exception;

    /** Drops the current shard's state of {@code hour}. */
    protected abstract void expire(long hour) throws Exception;

    /** Registers the state handles (called from {@link #initializeState} before anything is read). */
    protected abstract void createState() throws Exception;

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        createState();
        waiting = new PriorityQueue<>(LogOrderedOperator::compareLogOrder);
        liveHours = new TreeSet<>();
        expiryTimers = new HashSet<>();
        held = getPartitionedState(new MapStateDescriptor<>(HELD_STATE, Types.LONG, TypeInformation.of(PositionedEvent.class)));
        liveHoursState = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>("live-hours", Types.LONG));
        for (Long h : liveHoursState.get()) {
            liveHours.add(h);
        }
        lastHeldKey = 0;
        if (context.isRestored()) {
            // every held record of the shards this subtask now owns (after rescaling, held keys from
            // different old subtasks can repeat, but only across shards: each shard was one subtask's)
            for (Integer shard : shardsWith(HELD_STATE)) {
                setCurrentKey(shard);
                for (Map.Entry<Long, PositionedEvent> h : held.entries()) {
                    PositionedEvent e = h.getValue();
                    e.heldKey = h.getKey();
                    lastHeldKey = Math.max(lastHeldKey, e.heldKey);
                    waiting.add(e);
                }
            }
            restoreLegacyWaitingState();
        }
    }

    /**
     * A snapshot taken before 2026-11-27 holds its waiting records in a list per shard: they join the
     * queue (not yet held: the next checkpoint writes them to the map) and the lists are cleared.
     */
    private void restoreLegacyWaitingState() throws Exception {
        ListState<PositionedEvent> legacy = getPartitionedState(
                new ListStateDescriptor<>(LEGACY_WAITING_STATE, TypeInformation.of(PositionedEvent.class)));
        for (Integer shard : shardsWith(LEGACY_WAITING_STATE)) {
            setCurrentKey(shard);
            for (PositionedEvent e : legacy.get()) {
                e.heldKey = 0;
                waiting.add(e);
            }
            legacy.clear();
        }
    }

    private List<Integer> shardsWith(String state) {
        try (Stream<Object> keys = getKeyedStateBackend().getKeys(state, VoidNamespace.INSTANCE)) {
            return keys.map(k -> (Integer) k).collect(Collectors.toList());
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        timers = getInternalTimerService("bucket-expiry", LongSerializer.INSTANCE, this);
        reuse = new StreamRecord<>(null);
        behindWatermark = getMetricGroup().counter(BEHIND_WATERMARK);
        getMetricGroup().gauge("waitingRecords", () -> waiting.size());
        watermark = Long.MIN_VALUE;
    }

    /** Keyed state with an ingest hour as namespace (set it with {@code setCurrentNamespace}). */
    protected final <S extends org.apache.flink.api.common.state.State> S namespacedState(
            org.apache.flink.api.common.state.StateDescriptor<S, ?> descriptor) throws Exception {
        descriptor.initializeSerializerUnlessSet(getExecutionConfig());
        return getKeyedStateBackend().getOrCreateKeyedState(LongSerializer.INSTANCE, descriptor);
    }

    /** Holds a record until the watermark passes it (a record already behind it is processed now). */
    protected final void hold(PositionedEvent e) throws Exception {
        if (e.ingestTime <= watermark) {
            // cannot happen with a sound watermark; still processed, never dropped for lateness
            behindWatermark.inc();
            setCurrentKey(shardOf(e));
            process(e);
        } else {
            waiting.add(e);
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        long t = mark.getTimestamp();
        while (!waiting.isEmpty() && waiting.peek().ingestTime <= t) {
            PositionedEvent e = waiting.poll();
            setCurrentKey(shardOf(e));
            if (e.heldKey != 0) {
                held.remove(e.heldKey);
                e.heldKey = 0;
            }
            process(e);
        }
        watermark = Math.max(watermark, t);
        super.processWatermark(mark); // fires the expiry timers the watermark passed, then forwards it
        while (!liveHours.isEmpty() && Shards.expiryOf(liveHours.first(), retentionMs) <= t) {
            liveHours.pollFirst();
        }
    }

    /** Notes that the current shard has state in {@code hour}: registers its expiry timer once. */
    protected final void touch(int shard, long hour) {
        liveHours.add(hour);
        if (expiryTimers.add(hour / 60_000L * Shards.COUNT + shard)) {
            timers.registerEventTimeTimer(hour, Shards.expiryOf(hour, retentionMs));
        }
    }

    @Override
    public void onEventTime(InternalTimer<Integer, Long> timer) throws Exception {
        long hour = timer.getNamespace();
        expire(hour);
        expiryTimers.remove(hour / 60_000L * Shards.COUNT + timer.getKey());
    }

    @Override
    public void onProcessingTime(InternalTimer<Integer, Long> timer) {
    }

    protected final void emit(OUT value, long timestamp) {
        output.collect(reuse.replace(value, timestamp));
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        // only records that arrived since the previous checkpoint and still wait are new to the state
        for (PositionedEvent e : waiting) {
            if (e.heldKey == 0) {
                setCurrentKey(shardOf(e));
                e.heldKey = ++lastHeldKey;
                held.put(e.heldKey, e);
            }
        }
        liveHoursState.update(new ArrayList<>(liveHours));
    }

    /** Records waiting for the watermark (tests). */
    int waitingCount() {
        return waiting.size();
    }

    /** Records in the keyed state of held records, over all shards of this subtask (tests; moves the current key). */
    int heldCount() throws Exception {
        int n = 0;
        for (Integer shard : shardsWith(HELD_STATE)) {
            setCurrentKey(shard);
            for (Long ignored : held.keys()) {
                n++;
            }
        }
        return n;
    }

    static int compareLogOrder(PositionedEvent a, PositionedEvent b) {
        int c = Long.compare(a.ingestTime, b.ingestTime);
        if (c != 0) {
            return c;
        }
        c = Integer.compare(a.partition, b.partition);
        return c != 0 ? c : Long.compare(a.offset, b.offset);
    }
}
