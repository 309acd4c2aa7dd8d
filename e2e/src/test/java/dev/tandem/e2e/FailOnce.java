package dev.tandem.e2e;

import dev.tandem.speed.model.RawRecord;
import org.apache.flink.api.common.functions.MapFunction;

import java.util.concurrent.atomic.AtomicBoolean;

/** An identity stage that throws once when armed: a crash of the Flink job mid-stream. */
final class FailOnce implements MapFunction<RawRecord, RawRecord> {

    static final AtomicBoolean ARMED = new AtomicBoolean();

    @Override
    public RawRecord map(RawRecord r) {
        if (ARMED.compareAndSet(true, false)) {
            throw new IllegalStateException("injected crash of the speed layer (scenario step)");
        }
        return r;
    }
}
