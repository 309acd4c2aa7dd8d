package dev.tandem.speed.model;

import dev.tandem.core.testkit.TestEvents;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.tandem.core.testkit.TestEvents.t;
import static org.assertj.core.api.Assertions.assertThat;

class PositionedEventSerializerTest {

    private static PositionedEvent roundTrip(PositionedEvent e) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        PositionedEventSerializer.INSTANCE.serialize(e, out);
        PositionedEventSerializer.INSTANCE.serialize(e, out); // two in a row: each reads exactly its bytes
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        PositionedEvent first = PositionedEventSerializer.INSTANCE.deserialize(in);
        assertThat(PositionedEventSerializer.INSTANCE.deserialize(in)).usingRecursiveComparison().isEqualTo(first);
        assertThat(in.available()).isZero();
        return first;
    }

    @Test
    void everyFieldSurvivesIncludingNulls() throws Exception {
        for (PositionedEvent e : List.of(
                PositionedEvent.of(TestEvents.order("o1", "u1", "eu", 12_345, "EUR", "2026-11-26T09:00:00Z"), t("2026-11-26T10:00:00Z"), 3, 77),
                PositionedEvent.of(TestEvents.search("s1", "u1", "red shoes é ✓", "2026-11-26T09:00:00Z"), 5, 0, 0),
                PositionedEvent.of(TestEvents.click("k1", "i1", "u2", "c9", "2026-11-26T10:20:00Z"), -1, Integer.MAX_VALUE, Long.MAX_VALUE),
                new PositionedEvent())) {
            assertThat(roundTrip(e)).usingRecursiveComparison().isEqualTo(e);
            assertThat(PositionedEventSerializer.INSTANCE.copy(e)).usingRecursiveComparison().isEqualTo(e);
        }
    }

    @Test
    void flinkUsesItForTheClassAndInLists() {
        assertThat(TypeInformation.of(PositionedEvent.class)).isEqualTo(PositionedEventTypeInfo.INSTANCE);
        assertThat(new ListTypeInfo<>(PositionedEvent.class).getElementTypeInfo()).isEqualTo(PositionedEventTypeInfo.INSTANCE);
    }

    @Test
    void neverReusesTheGivenInstance() throws Exception {
        // the job runs with object reuse on, and dedup and the join keep the records they receive
        // (waiting for the watermark, in heap state): a deserializer that filled the reused instance
        // would overwrite them
        PositionedEvent reuse = PositionedEvent.of(TestEvents.search("s1", "u1", "q", "2026-11-26T09:00:00Z"), 1, 0, 1);
        DataOutputSerializer out = new DataOutputSerializer(64);
        PositionedEventSerializer.INSTANCE.serialize(PositionedEvent.of(TestEvents.search("s2", "u2", "r", "2026-11-26T09:00:00Z"), 2, 0, 2), out);
        PositionedEvent read = PositionedEventSerializer.INSTANCE.deserialize(reuse, new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(read).isNotSameAs(reuse);
        assertThat(reuse.eventId).isEqualTo("s1");
        assertThat(read.eventId).isEqualTo("s2");
    }
}
