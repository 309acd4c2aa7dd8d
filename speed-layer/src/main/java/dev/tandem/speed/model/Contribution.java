package dev.tandem.speed.model;

import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.RealtimeCodec;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewKey;
import dev.tandem.core.view.Views;

import java.nio.charset.StandardCharsets;

/**
 * A partial aggregate for one changelog key (view, dims, bucket, tag). {@code key} is the
 * changelog key itself ({@link RealtimeCodec#encodeKey}) as a string, which is also what the
 * aggregation is keyed by; the aggregate travels as {@link Aggregate#toBytes()} so Flink never
 * needs to serialize sketches itself.
 */
public class Contribution implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    public String key;
    public String view;
    public long tag;
    public byte[] aggregate;

    public Contribution() {
    }

    public Contribution(String key, String view, long tag, byte[] aggregate) {
        this.key = key;
        this.view = view;
        this.tag = tag;
        this.aggregate = aggregate;
    }

    public static Contribution of(ViewDefinition view, ViewKey key, long tag, Aggregate a) {
        return new Contribution(new String(RealtimeCodec.encodeKey(view.name(), key, tag), StandardCharsets.UTF_8),
                view.name(), tag, a.toBytes());
    }

    public ViewDefinition viewDefinition() {
        return Views.byName(view);
    }

    public Aggregate toAggregate() {
        return Aggregate.fromBytes(viewDefinition(), aggregate);
    }

    @Override
    public String toString() {
        return "Contribution{" + key + "}";
    }
}
