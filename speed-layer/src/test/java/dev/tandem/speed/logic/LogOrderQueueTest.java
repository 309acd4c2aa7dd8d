package dev.tandem.speed.logic;

import dev.tandem.speed.model.PositionedEvent;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class LogOrderQueueTest {

    private static PositionedEvent at(long ingestTime, int partition, long offset) {
        PositionedEvent e = new PositionedEvent();
        e.ingestTime = ingestTime;
        e.partition = partition;
        e.offset = offset;
        return e;
    }

    /** Per-partition logs (ingest times non-decreasing, offsets rising), interleaved at random. */
    private static List<PositionedEvent> interleavedLogs(SplittableRandom r, int partitions, int perPartition) {
        List<List<PositionedEvent>> logs = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            List<PositionedEvent> log = new ArrayList<>();
            long time = 1_000 + r.nextInt(50);
            for (int o = 0; o < perPartition; o++) {
                time += r.nextInt(3); // equal ingest times across and within partitions
                log.add(at(time, p, o));
            }
            logs.add(log);
        }
        List<PositionedEvent> arrival = new ArrayList<>();
        int[] next = new int[partitions];
        for (int left = partitions * perPartition; left > 0; left--) {
            int p;
            do {
                p = r.nextInt(partitions);
            } while (next[p] == logs.get(p).size());
            arrival.add(logs.get(p).get(next[p]++));
        }
        return arrival;
    }

    private static List<PositionedEvent> sorted(List<PositionedEvent> records) {
        List<PositionedEvent> s = new ArrayList<>(records);
        s.sort(LogOrderedOperator::compareLogOrder);
        return s;
    }

    @Test
    void takesRecordsOutInLogOrderAcrossPartitionsAndInputs() {
        SplittableRandom r = new SplittableRandom(7);
        List<PositionedEvent> first = interleavedLogs(r, 5, 200);
        List<PositionedEvent> second = interleavedLogs(r, 5, 40); // same partitions, the other input
        second.forEach(e -> e.offset += 10_000); // distinct positions: no ties whose order is arbitrary
        LogOrderQueue q = new LogOrderQueue(2);
        List<PositionedEvent> all = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < first.size() || j < second.size()) {
            if (j == second.size() || (i < first.size() && r.nextInt(6) > 0)) {
                all.add(first.get(i));
                q.add(first.get(i++), 0);
            } else {
                all.add(second.get(j));
                q.add(second.get(j++), 1);
            }
        }
        assertThat(q.size()).isEqualTo(all.size());
        assertThat(q.strayCount()).isZero(); // every lane arrived in order: nothing went the slow way
        List<PositionedEvent> out = new ArrayList<>();
        for (PositionedEvent e = q.poll(); e != null; e = q.poll()) {
            out.add(e);
        }
        assertThat(out).containsExactlyElementsOf(sorted(all));
        assertThat(q.isEmpty()).isTrue();
    }

    @Test
    void recordsOutOfTheirLanesOrderAndRestoredOnesStillComeOutInLogOrder() {
        SplittableRandom r = new SplittableRandom(11);
        List<PositionedEvent> records = interleavedLogs(r, 4, 300);
        // a tenth swapped with a neighbour (as from two upstream subtasks), some given back by a "restore"
        for (int k = 0; k + 1 < records.size(); k += 10) {
            records.set(k, records.set(k + 1, records.get(k)));
        }
        LogOrderQueue q = new LogOrderQueue(1);
        TreeSet<PositionedEvent> present = new TreeSet<>(LogOrderedOperator::compareLogOrder);
        int taken = 0;
        for (int k = 0; k < records.size(); k++) {
            PositionedEvent e = records.get(k);
            present.add(e);
            if (k % 17 == 0) {
                q.addUnordered(e);
            } else {
                q.add(e, 0);
            }
            if (k % 50 == 49) { // take some out while others arrive: always the least present, peek agrees
                for (int n = 0; n < 20; n++) {
                    PositionedEvent head = q.peek();
                    assertThat(head).isSameAs(present.first());
                    assertThat(q.poll()).isSameAs(present.pollFirst());
                    taken++;
                }
            }
        }
        assertThat(q.strayCount()).isPositive();
        assertThat(q.size()).isEqualTo(records.size() - taken);
        for (PositionedEvent e = q.poll(); e != null; e = q.poll()) {
            assertThat(e).isSameAs(present.pollFirst());
        }
        assertThat(present).isEmpty();
    }

    @Test
    void handsOverExactlyTheRecordsNotYetInABatch() {
        SplittableRandom r = new SplittableRandom(3);
        List<PositionedEvent> records = interleavedLogs(r, 3, 100);
        LogOrderQueue q = new LogOrderQueue(1);
        PositionedEvent restored = at(1_001, 9, 0);
        restored.heldBatch = 4; // given back by a restore: already in a batch
        q.addUnordered(restored);
        for (int k = 0; k < 150; k++) {
            q.add(records.get(k), 0);
        }
        List<PositionedEvent> batch1 = new ArrayList<>();
        q.forEachUnheld(e -> {
            e.heldBatch = 5;
            batch1.add(e);
        });
        assertThat(batch1).containsExactlyInAnyOrderElementsOf(records.subList(0, 150));
        for (int n = 0; n < 40; n++) {
            q.poll();
        }
        for (int k = 150; k < records.size(); k++) {
            q.add(records.get(k), 0);
        }
        List<PositionedEvent> batch2 = new ArrayList<>();
        q.forEachUnheld(e -> {
            e.heldBatch = 6;
            batch2.add(e);
        });
        assertThat(batch2).containsExactlyInAnyOrderElementsOf(records.subList(150, records.size()));
    }
}
