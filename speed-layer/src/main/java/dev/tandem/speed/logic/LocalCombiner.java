package dev.tandem.speed.logic;

import dev.tandem.core.view.Aggregate;
import dev.tandem.speed.model.Contribution;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.util.HashMap;
import java.util.Map;

/**
 * Combines contributions to the same changelog key before the shuffle (a map-side combiner with
 * core's {@link Aggregate#merge}): the keyed aggregator then deserializes and rewrites each
 * key's sketch once per batch instead of once per event.
 *
 * <p>It holds no state across checkpoints: the buffer is flushed before every checkpoint barrier
 * ({@link #prepareSnapshotPreBarrier}), on every watermark (so a batch is at most one watermark
 * interval old, and nothing is held back behind a watermark), when it reaches {@code maxKeys}
 * keys, and at the end of the input. A failure loses only what the replay from the last
 * checkpoint recomputes.
 */
public class LocalCombiner extends AbstractStreamOperator<Contribution>
        implements OneInputStreamOperator<Contribution, Contribution> {

    private static final long serialVersionUID = 1L;

    private final int maxKeys;
    private transient Map<String, Pending> pending;

    private static final class Pending {
        final String view;
        final long tag;
        final Aggregate aggregate;

        Pending(String view, long tag, Aggregate aggregate) {
            this.view = view;
            this.tag = tag;
            this.aggregate = aggregate;
        }
    }

    public LocalCombiner(int maxKeys) {
        this.maxKeys = maxKeys;
    }

    @Override
    public void open() throws Exception {
        super.open();
        pending = new HashMap<>();
    }

    @Override
    public void processElement(StreamRecord<Contribution> record) {
        Contribution c = record.getValue();
        Pending p = pending.get(c.key);
        if (p == null) {
            pending.put(c.key, new Pending(c.view, c.tag, c.toAggregate()));
            if (pending.size() >= maxKeys) {
                flush();
            }
        } else {
            p.aggregate.merge(c.toAggregate());
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        flush();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    private void flush() {
        if (pending.isEmpty()) {
            return;
        }
        for (Map.Entry<String, Pending> e : pending.entrySet()) {
            Pending p = e.getValue();
            output.collect(new StreamRecord<>(new Contribution(e.getKey(), p.view, p.tag, p.aggregate.toBytes())));
        }
        pending.clear();
    }
}
