package dev.tandem.speed.logic;

import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.Fact;
import dev.tandem.core.view.Facts;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewKey;
import dev.tandem.core.view.Views;
import dev.tandem.speed.model.AttributedClick;
import dev.tandem.speed.model.Contribution;
import dev.tandem.speed.model.PositionedEvent;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Facts into view contributions through core's view definitions ({@link ViewDefinition#contribute}
 * names the (view, dims, bucket) keys a fact touches), folded with core's monoid before the shuffle
 * (a map-side combiner): the pending aggregate of each (view, key, tag) takes the fact with
 * {@link Aggregate#add}, which gives the same registers, counts and sums as merging the fact's
 * single-fact aggregate. Per event this costs a hash lookup and an in-place update, instead of a
 * changelog key, a serialized sketch and a sketch union; the changelog key and the aggregate bytes
 * are made once per key and flush.
 *
 * <p>It runs chained behind dedup (events) and behind the join (attributed clicks), so facts never
 * cross a task boundary. It holds no state across checkpoints: the buffer is flushed before every
 * checkpoint barrier ({@link #prepareSnapshotPreBarrier}), on every watermark (so a batch is at most
 * one watermark interval old, and nothing is held back behind a watermark), when it reaches
 * {@code maxKeys} keys, and at the end of the input. A failure loses only what the replay from the
 * last checkpoint recomputes.
 */
public class FactCombiner<T> extends AbstractStreamOperator<Contribution>
        implements OneInputStreamOperator<T, Contribution> {

    private static final long serialVersionUID = 1L;

    /** The fact of an input record; serializable so the operator can ship to a cluster. */
    public interface ToFact<T> extends Function<T, Fact>, Serializable {
    }

    private final ToFact<T> toFact;
    private final int maxKeys;
    private transient Map<PendingKey, Aggregate> pending;
    private transient java.util.function.Consumer<ViewKey> addKey;
    private transient Fact adding;
    private transient int addingView;

    /** The view by its index in {@link Views#ALL}: hashing a {@link ViewDefinition} record walks all its fields. */
    private record PendingKey(int view, ViewKey key, long tag) {
    }

    public FactCombiner(ToFact<T> toFact, int maxKeys) {
        this.toFact = toFact;
        this.maxKeys = maxKeys;
    }

    /** For deduplicated events: each event's own fact. */
    public static FactCombiner<PositionedEvent> ofEvents(int maxKeys) {
        return new FactCombiner<>(PositionedEvent::toFact, maxKeys);
    }

    /** For attributed clicks (tag = the later of the click's and the impression's tags). */
    public static FactCombiner<AttributedClick> ofAttributedClicks(int maxKeys) {
        return new FactCombiner<>(AttributedClick::toFact, maxKeys);
    }

    @Override
    public void open() throws Exception {
        super.open();
        pending = new HashMap<>();
        addKey = this::addKey;
    }

    @Override
    public void processElement(StreamRecord<T> record) {
        add(toFact.apply(record.getValue()));
    }

    private void add(Fact fact) {
        for (int i = 0; i < Views.ALL.size(); i++) {
            ViewDefinition view = Views.ALL.get(i);
            if (!view.reads(fact.kind())) {
                continue;
            }
            adding = fact;
            addingView = i;
            view.keys(fact, addKey);
        }
        if (pending.size() >= maxKeys) {
            flush();
        }
    }

    /** a ⊕ (zero ⊕ f) = a.add(f): a key already pending costs no aggregate (ViewDefinition#keys). */
    private void addKey(ViewKey key) {
        PendingKey k = new PendingKey(addingView, key, adding.tag());
        Aggregate a = pending.get(k);
        if (a == null) {
            pending.put(k, Views.ALL.get(addingView).zero().add(adding));
        } else {
            a.add(adding);
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
        for (Map.Entry<PendingKey, Aggregate> e : pending.entrySet()) {
            PendingKey k = e.getKey();
            output.collect(new StreamRecord<>(Contribution.of(Views.ALL.get(k.view()), k.key(), k.tag(), e.getValue())));
        }
        pending.clear();
    }
}
