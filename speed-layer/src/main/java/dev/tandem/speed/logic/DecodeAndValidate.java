package dev.tandem.speed.logic;

import dev.tandem.core.event.EventCodec;
import dev.tandem.core.validation.Checked;
import dev.tandem.core.validation.RejectReason;
import dev.tandem.speed.model.PositionedEvent;
import dev.tandem.speed.model.RawRecord;
import dev.tandem.speed.model.Rejected;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.EnumMap;
import java.util.Map;

/**
 * Decodes and validates each raw record against its ingest time with core's
 * {@link EventCodec#check} (the same call every engine makes). Valid events go on; bad records go to
 * the {@link #REJECTED} side output with their raw bytes and reason, and are counted by reason.
 */
public class DecodeAndValidate extends ProcessFunction<RawRecord, PositionedEvent> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<Rejected> REJECTED =
            new OutputTag<>("rejected", TypeInformation.of(Rejected.class));

    private transient Map<RejectReason, Counter> rejectedByReason;
    private transient Counter valid;

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext ctx) {
        rejectedByReason = new EnumMap<>(RejectReason.class);
        for (RejectReason r : RejectReason.values()) {
            rejectedByReason.put(r, getRuntimeContext().getMetricGroup().addGroup("rejected").counter(r.code()));
        }
        valid = getRuntimeContext().getMetricGroup().counter("validEvents");
    }

    /** The decision for one record, without Flink: a valid event, or the record to quarantine. */
    public static Object check(RawRecord r) {
        Checked c = EventCodec.get().check(r.value, r.ingestTime);
        if (c.isValid()) {
            return PositionedEvent.of(c.event(), r.ingestTime, r.partition, r.offset);
        }
        return new Rejected(r.value, c.rejection().code(), c.rejection().detail(), r.ingestTime, r.partition, r.offset);
    }

    @Override
    public void processElement(RawRecord r, Context ctx, Collector<PositionedEvent> out) {
        Object result = check(r);
        if (result instanceof PositionedEvent e) {
            valid.inc();
            out.collect(e);
        } else {
            Rejected rej = (Rejected) result;
            rejectedByReason.get(RejectReason.ofCode(rej.reason)).inc();
            ctx.output(REJECTED, rej);
        }
    }
}
