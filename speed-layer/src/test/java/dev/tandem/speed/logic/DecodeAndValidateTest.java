package dev.tandem.speed.logic;

import dev.tandem.core.event.EventCodec;
import dev.tandem.core.event.EventSchemas;
import dev.tandem.core.testkit.TestEvents;
import dev.tandem.speed.model.PositionedEvent;
import dev.tandem.speed.model.RawRecord;
import dev.tandem.speed.model.Rejected;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static dev.tandem.core.testkit.TestEvents.t;
import static org.assertj.core.api.Assertions.assertThat;

class DecodeAndValidateTest {

    private static final long INGEST = t("2026-11-26T10:00:00Z");

    @Test
    void validV1AndV2RecordsPassAndBadOnesGoToTheSideOutputWithTheirReasonAndBytes() throws Exception {
        byte[] v2 = EventCodec.get().encode(TestEvents.order("o1", "u1", "eu", 500, "EUR", "2026-11-26T09:00:00Z"));
        byte[] v1 = EventCodec.get().encode(TestEvents.search("s1", "u1", "red", "2026-11-26T09:00:00Z"), EventSchemas.V1);
        byte[] garbage = "not avro".getBytes(StandardCharsets.UTF_8);
        byte[] negative = EventCodec.get().encode(TestEvents.order("o2", "u1", "eu", -1, "EUR", "2026-11-26T09:00:00Z"));
        try (OneInputStreamOperatorTestHarness<RawRecord, PositionedEvent> h =
                     ProcessFunctionTestHarnesses.forProcessFunction(new DecodeAndValidate())) {
            h.processElement(new RawRecord(v2, INGEST, 0, 0), INGEST);
            h.processElement(new RawRecord(v1, INGEST, 0, 1), INGEST);
            h.processElement(new RawRecord(garbage, INGEST, 1, 0), INGEST);
            h.processElement(new RawRecord(null, INGEST, 1, 1), INGEST);
            h.processElement(new RawRecord(negative, INGEST, 2, 0), INGEST);

            assertThat(h.extractOutputValues()).extracting(e -> e.eventId + "/" + e.currency)
                    .containsExactly("o1/EUR", "s1/USD");
            List<Rejected> rejected = new ArrayList<>();
            h.getSideOutput(DecodeAndValidate.REJECTED).forEach(r -> rejected.add(r.getValue()));
            assertThat(rejected).extracting(r -> r.reason + "@" + r.partition + ":" + r.offset)
                    .containsExactly("undecodable@1:0", "undecodable@1:1", "negative_total@2:0");
            assertThat(rejected.get(0).raw).isEqualTo(garbage);
            assertThat(rejected.get(2).detail).contains("-1");
        }
    }

    @Test
    void aLivePartitionThatFallsSilentLetsTheWatermarkFollowTheWallClock() {
        AtomicLong now = new AtomicLong(1_000_000);
        IngestTimeWatermarks g = new IngestTimeWatermarks(2000, 10_000, now::get);
        List<Long> emitted = collect();
        g.onEvent(new RawRecord(null, 999_500, 0, 0), 999_500, out(emitted)); // appended 0.5 s ago: live
        g.onPeriodicEmit(out(emitted));
        now.addAndGet(1999);
        g.onPeriodicEmit(out(emitted)); // not silent long enough yet
        now.addAndGet(1);
        g.onPeriodicEmit(out(emitted));
        assertThat(emitted).containsExactly(999_499L, 1_000_000L);
    }

    @Test
    void aSilentPartitionReleasesItsNewestRecordEvenWhenTheBrokerClockIsAhead() {
        AtomicLong now = new AtomicLong(1_000_000);
        IngestTimeWatermarks g = new IngestTimeWatermarks(2000, 10_000, now::get);
        List<Long> emitted = collect();
        long brokerAhead = 1_000_000 + 5 * 3_600_000L; // a test moved the broker clock 5 h forward
        g.onEvent(new RawRecord(null, brokerAhead, 0, 0), brokerAhead, out(emitted));
        g.onPeriodicEmit(out(emitted));
        now.addAndGet(2000);
        g.onPeriodicEmit(out(emitted));
        assertThat(emitted).containsExactly(brokerAhead - 1, brokerAhead);
    }

    @Test
    void aPartitionCatchingUpABacklogWaitsForTheGraceBeforeFollowingTheWallClock() {
        AtomicLong now = new AtomicLong(1_000_000);
        IngestTimeWatermarks g = new IngestTimeWatermarks(2000, 10_000, now::get);
        List<Long> emitted = collect();
        g.onEvent(new RawRecord(null, 900_000, 0, 0), 900_000, out(emitted)); // 100 s old: a backlog
        now.addAndGet(9_999);
        g.onPeriodicEmit(out(emitted));
        assertThat(emitted).containsExactly(899_999L);
        now.addAndGet(1);
        g.onPeriodicEmit(out(emitted));
        assertThat(emitted).containsExactly(899_999L, 1_008_000L);
    }

    @Test
    void aPartitionWithoutRecordsHoldsTheWatermarkForTheGraceThenGoesIdle() {
        AtomicLong now = new AtomicLong(1_000_000);
        IngestTimeWatermarks g = new IngestTimeWatermarks(2000, 10_000, now::get);
        List<Long> emitted = collect();
        now.addAndGet(9_999);
        g.onPeriodicEmit(out(emitted));
        assertThat(emitted).isEmpty();
        assertThat(idles).isZero();
        now.addAndGet(1);
        g.onPeriodicEmit(out(emitted));
        assertThat(emitted).isEmpty();
        assertThat(idles).isEqualTo(1);
    }

    private int idles;

    private static List<Long> collect() {
        return new ArrayList<>();
    }

    private WatermarkOutput out(List<Long> emitted) {
        return new WatermarkOutput() {
            public void emitWatermark(org.apache.flink.api.common.eventtime.Watermark w) { emitted.add(w.getTimestamp()); }
            public void markIdle() { idles++; }
            public void markActive() { }
        };
    }
}
