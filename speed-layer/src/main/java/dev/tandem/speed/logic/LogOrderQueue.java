package dev.tandem.speed.logic;

import dev.tandem.speed.model.PositionedEvent;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * The records of a {@link LogOrderedOperator} waiting for the watermark, taken out in log order
 * (ingest time, partition, offset: {@link LogOrderedOperator#compareLogOrder}).
 *
 * <p>Records of one partition normally arrive in log order (a partition is read in offset order
 * and its ingest times do not decrease; an exchange keeps the order of each channel). So each
 * <em>lane</em> (the operator's input × partition) is a FIFO run, appended at its tail, and the
 * runs are merged through a small heap of their heads: taking a record out compares among the
 * runs (a few), not among all waiting records (tens of thousands while a backlog is read, whose
 * sift-downs through a single priority queue touched scattered records: a fifth of the dedup
 * task's time, session 7). A record that does not come after its lane's tail (several upstream
 * subtasks feeding one lane, records given back by a restore) goes to a general priority queue;
 * {@link #poll} takes the smaller of the two heads, so the order is exact whatever arrives.
 *
 * <p>Not thread-safe; the operator's task thread only.
 */
final class LogOrderQueue {

    /** Lanes per input: a partition number is taken modulo this (distinct lanes only need distinct tails). */
    private static final int LANES_PER_INPUT = 1024;

    private final Lane[] lanes;
    /** Non-empty lanes by their head record. */
    private final PriorityQueue<Lane> heads = new PriorityQueue<>((a, b) ->
            LogOrderedOperator.compareLogOrder(a.records.peekFirst(), b.records.peekFirst()));
    /** Records that did not come after their lane's tail, and records given back by a restore. */
    private final PriorityQueue<PositionedEvent> stray = new PriorityQueue<>(LogOrderedOperator::compareLogOrder);
    private int size;

    LogOrderQueue(int inputs) {
        lanes = new Lane[inputs * LANES_PER_INPUT];
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Adds a record that arrived on {@code input} (0-based). */
    void add(PositionedEvent e, int input) {
        int i = input * LANES_PER_INPUT + Math.floorMod(e.partition, LANES_PER_INPUT);
        Lane lane = lanes[i];
        if (lane == null) {
            lane = lanes[i] = new Lane();
        }
        PositionedEvent tail = lane.records.peekLast();
        if (tail == null) {
            lane.records.addLast(e);
            heads.add(lane);
        } else if (LogOrderedOperator.compareLogOrder(tail, e) <= 0) {
            lane.records.addLast(e); // the head, and so the lane's place in the heap, is unchanged
        } else {
            stray.add(e);
        }
        size++;
    }

    /** Adds a record in no particular order relative to the others (records given back by a restore). */
    void addUnordered(PositionedEvent e) {
        stray.add(e);
        size++;
    }

    /** The first record in log order, or null. */
    PositionedEvent peek() {
        Lane lane = heads.peek();
        PositionedEvent s = stray.peek();
        if (lane == null) {
            return s;
        }
        PositionedEvent l = lane.records.peekFirst();
        return s == null || LogOrderedOperator.compareLogOrder(l, s) <= 0 ? l : s;
    }

    /** Takes out the first record in log order, or null. */
    PositionedEvent poll() {
        Lane lane = heads.peek();
        PositionedEvent s = stray.peek();
        if (lane == null && s == null) {
            return null;
        }
        size--;
        if (lane == null || (s != null && LogOrderedOperator.compareLogOrder(s, lane.records.peekFirst()) < 0)) {
            return stray.poll();
        }
        heads.poll();
        PositionedEvent e = lane.records.pollFirst();
        if (!lane.records.isEmpty()) {
            heads.add(lane);
        }
        return e;
    }

    /**
     * Hands every waiting record not yet in a held batch ({@code heldBatch == 0}) to {@code action}, which
     * must set its {@code heldBatch}. In a lane those are the records appended since the previous call
     * (that call gave all others a batch, and records leave a lane only at its head): a suffix, read
     * from the tail. The stray records are all looked at.
     */
    void forEachUnheld(Consumer<PositionedEvent> action) {
        for (Lane lane : heads) {
            for (Iterator<PositionedEvent> it = lane.records.descendingIterator(); it.hasNext(); ) {
                PositionedEvent e = it.next();
                if (e.heldBatch != 0) {
                    break;
                }
                action.accept(e);
            }
        }
        for (PositionedEvent e : stray) {
            if (e.heldBatch == 0) {
                action.accept(e);
            }
        }
    }

    /** The records waiting out of their lane's order, in the general queue (tests). */
    int strayCount() {
        return stray.size();
    }

    private static final class Lane {
        final ArrayDeque<PositionedEvent> records = new ArrayDeque<>();
    }
}
