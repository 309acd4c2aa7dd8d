package dev.tandem.speed.logic;

import dev.tandem.speed.model.PositionedEvent;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.internal.InternalListState;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
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
 * <p>The waiting records live in memory ({@link LogOrderQueue}: per-partition runs merged in log
 * order). A checkpoint writes only
 * the records that arrived since the previous one and still wait: per shard, one list — a
 * <em>batch</em>, keyed state with the batch number as namespace ({@value #HELD_STATE}) — and never
 * writes a record again ({@link PositionedEvent#heldBatch}); a record released before any checkpoint
 * saw it is never written. Releasing writes nothing: a batch is dropped as a whole (one state
 * change) at the first checkpoint after its last record was released (the watermark passed its
 * newest ingest time). Until then a batch may hold released records; they are told apart by the
 * watermark, which each checkpoint also stores per shard with batches ({@value #RELEASED_THROUGH}):
 * every record of a batch with an ingest time at or before it was released, every later one still
 * waits (release is by watermark, nothing else). A restore — also at another parallelism, since
 * batches and watermark are both per shard — takes each batch's records after that watermark back
 * into the queue and rewrites the batch without the released ones. The set of live hours is
 * operator state (union: after rescaling, a subtask looks up at worst a few hours it does not hold).
 */
abstract class LogOrderedOperator<OUT> extends AbstractStreamOperator<OUT> implements Triggerable<Integer, Long> {

    private static final long serialVersionUID = 1L;

    /** The metric counting records that arrived behind the watermark (must stay 0, README "Ordering"). */
    public static final String BEHIND_WATERMARK = "behindWatermark";

    protected final long retentionMs;
    /** Keyed list state (namespace: batch number) of the records a checkpoint found waiting. */
    static final String HELD_STATE = "held-batches";
    /** Keyed value state: this shard's watermark at the last checkpoint (records at or before it were released). */
    static final String RELEASED_THROUGH = "held-released-through";
    /** Before 2026-11-27 (session 6) waiting records were rewritten, per shard, to this list state at every checkpoint. */
    static final String LEGACY_WAITING_STATE = "waiting";

    private transient LogOrderQueue waiting;
    private transient InternalListState<Integer, Long, PositionedEvent> heldBatches;
    private transient ValueState<Long> releasedThrough;
    /** The batches in {@link #heldBatches}, with the newest ingest time of each. */
    private transient List<HeldBatch> liveBatches;
    /** Shards whose {@link #releasedThrough} is set. */
    private transient Set<Integer> shardsReleasedThrough;
    /** The last batch number given out (numbers are unique per shard: see initializeState). */
    private transient long lastBatch;
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
    @SuppressWarnings("unchecked")
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        createState();
        waiting = new LogOrderQueue(2);
        liveHours = new TreeSet<>();
        expiryTimers = new HashSet<>();
        heldBatches = (InternalListState<Integer, Long, PositionedEvent>) namespacedState(
                new ListStateDescriptor<>(HELD_STATE, TypeInformation.of(PositionedEvent.class)));
        releasedThrough = getPartitionedState(new ValueStateDescriptor<>(RELEASED_THROUGH, Types.LONG));
        liveBatches = new ArrayList<>();
        shardsReleasedThrough = new HashSet<>();
        liveHoursState = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>("live-hours", Types.LONG));
        for (Long h : liveHoursState.get()) {
            liveHours.add(h);
        }
        lastBatch = 0;
        if (context.isRestored()) {
            restoreHeldBatches();
            restoreLegacyWaitingState();
        }
    }

    /**
     * Takes the still waiting records of every batch of the shards this subtask now owns back into the
     * queue; a batch is rewritten without its released records (dropped if none waits), so that from
     * now on this subtask's own watermark tells them apart. Batch numbers from different old subtasks
     * can repeat after rescaling, but only across shards (each shard was one subtask's).
     */
    private void restoreHeldBatches() throws Exception {
        List<Tuple2<Object, Object>> batches;
        try (Stream<Tuple2<Object, Object>> s = getKeyedStateBackend().getKeysAndNamespaces(HELD_STATE)) {
            batches = s.collect(Collectors.toList());
        }
        for (Tuple2<Object, Object> b : batches) {
            int shard = (Integer) b.f0;
            long n = (Long) b.f1;
            setCurrentKey(shard);
            Long through = releasedThrough.value();
            long released = through == null ? Long.MIN_VALUE : through;
            heldBatches.setCurrentNamespace(n);
            List<PositionedEvent> kept = new ArrayList<>();
            int all = 0;
            long newest = Long.MIN_VALUE;
            Iterable<PositionedEvent> records = heldBatches.get();
            for (PositionedEvent e : records == null ? List.<PositionedEvent>of() : records) {
                all++;
                if (e.ingestTime > released) {
                    e.heldBatch = n;
                    kept.add(e);
                    waiting.addUnordered(e);
                    newest = Math.max(newest, e.ingestTime);
                }
            }
            if (kept.isEmpty()) {
                heldBatches.clear();
            } else {
                if (kept.size() < all) {
                    heldBatches.update(kept);
                }
                liveBatches.add(new HeldBatch(shard, n, newest));
            }
            lastBatch = Math.max(lastBatch, n);
            shardsReleasedThrough.add(shard); // rewritten or cleared at the next checkpoint
        }
    }

    /**
     * A snapshot taken before 2026-11-27 holds its waiting records in a list per shard: they join the
     * queue (not yet held: the next checkpoint writes them as a new batch) and the lists are cleared.
     */
    private void restoreLegacyWaitingState() throws Exception {
        ListState<PositionedEvent> legacy = getPartitionedState(
                new ListStateDescriptor<>(LEGACY_WAITING_STATE, TypeInformation.of(PositionedEvent.class)));
        for (Integer shard : shardsWith(LEGACY_WAITING_STATE)) {
            setCurrentKey(shard);
            for (PositionedEvent e : legacy.get()) {
                e.heldBatch = 0;
                waiting.addUnordered(e);
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

    /** Holds a record of the first input until the watermark passes it (a record already behind it is processed now). */
    protected final void hold(PositionedEvent e) throws Exception {
        hold(e, 0);
    }

    /** Holds a record that arrived on {@code input} (0 or 1) until the watermark passes it. */
    protected final void hold(PositionedEvent e, int input) throws Exception {
        if (e.ingestTime <= watermark) {
            // cannot happen with a sound watermark; still processed, never dropped for lateness
            behindWatermark.inc();
            setCurrentKey(shardOf(e));
            process(e);
        } else {
            waiting.add(e, input);
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        long t = mark.getTimestamp();
        for (PositionedEvent head = waiting.peek(); head != null && head.ingestTime <= t; head = waiting.peek()) {
            PositionedEvent e = waiting.poll();
            setCurrentKey(shardOf(e));
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
        // batches all of whose records were released: dropped as a whole
        Set<Integer> shardsWithBatches = new HashSet<>();
        for (Iterator<HeldBatch> it = liveBatches.iterator(); it.hasNext(); ) {
            HeldBatch b = it.next();
            if (b.newestIngestTime <= watermark) {
                setCurrentKey(b.shard);
                heldBatches.setCurrentNamespace(b.number);
                heldBatches.clear();
                it.remove();
            } else {
                shardsWithBatches.add(b.shard);
            }
        }
        // records that arrived since the previous checkpoint and still wait: one new batch per shard
        Map<Integer, List<PositionedEvent>> fresh = new HashMap<>();
        long n = lastBatch + 1;
        int perShard = waiting.size() / Shards.COUNT + 16; // sized up front: growing the lists was ~5 % of the dedup task
        waiting.forEachUnheld(e -> {
            e.heldBatch = n;
            fresh.computeIfAbsent(shardOf(e), k -> new ArrayList<>(perShard)).add(e);
        });
        if (!fresh.isEmpty()) {
            lastBatch = n;
        }
        for (Map.Entry<Integer, List<PositionedEvent>> f : fresh.entrySet()) {
            long newest = Long.MIN_VALUE;
            for (PositionedEvent e : f.getValue()) {
                newest = Math.max(newest, e.ingestTime);
            }
            setCurrentKey(f.getKey());
            heldBatches.setCurrentNamespace(n);
            heldBatches.update(f.getValue());
            liveBatches.add(new HeldBatch(f.getKey(), n, newest));
            shardsWithBatches.add(f.getKey());
        }
        // what tells released from waiting records in those batches at a restore
        for (Integer shard : shardsWithBatches) {
            setCurrentKey(shard);
            releasedThrough.update(watermark);
        }
        for (Integer shard : shardsReleasedThrough) {
            if (!shardsWithBatches.contains(shard)) {
                setCurrentKey(shard);
                releasedThrough.clear();
            }
        }
        shardsReleasedThrough = shardsWithBatches;
        liveHoursState.update(new ArrayList<>(liveHours));
    }

    /** Records waiting for the watermark (tests). */
    int waitingCount() {
        return waiting.size();
    }

    /** Records in the keyed state of held batches, released or not, over all shards of this subtask (tests; moves the current key). */
    int heldCount() throws Exception {
        int n = 0;
        for (HeldBatch b : liveBatches) {
            setCurrentKey(b.shard);
            heldBatches.setCurrentNamespace(b.number);
            for (PositionedEvent ignored : heldBatches.get()) {
                n++;
            }
        }
        return n;
    }

    /** Batches in the keyed state of held batches (tests). */
    int heldBatchCount() {
        return liveBatches.size();
    }

    /** A batch of held records: its shard, its number (the state namespace) and its newest ingest time. */
    private record HeldBatch(int shard, long number, long newestIngestTime) {
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
