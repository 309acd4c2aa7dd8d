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
    void stringsAreWrittenAndReadByteForByteAsFlinksStringValue() throws Exception {
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        List<String> strings = new java.util.ArrayList<>(java.util.Arrays.asList(null, "", "a", "evt-0001", "é", "aé", "✓ok",
                "x".repeat(126), "x".repeat(127), "x".repeat(128), "y".repeat(16_383), "z".repeat(16_384), "é".repeat(200),
                "ascii then \u0080", "\uffff\u0000", "a".repeat(100) + "\ud83d\ude00"));
        for (int i = 0; i < 300; i++) {
            StringBuilder b = new StringBuilder();
            int n = r.nextInt(40);
            for (int k = 0; k < n; k++) {
                b.append(r.nextInt(10) < 8 ? (char) r.nextInt(0x80) : (char) r.nextInt(0x10000));
            }
            strings.add(b.toString());
        }
        DataOutputSerializer ours = new DataOutputSerializer(64);
        DataOutputSerializer flinks = new DataOutputSerializer(64);
        for (String s : strings) {
            PositionedEventSerializer.writeString(s, ours);
            org.apache.flink.types.StringValue.writeString(s, flinks);
        }
        assertThat(ours.getCopyOfBuffer()).isEqualTo(flinks.getCopyOfBuffer());
        DataInputDeserializer in = new DataInputDeserializer(flinks.getCopyOfBuffer());
        for (String s : strings) {
            assertThat(PositionedEventSerializer.readString(in)).isEqualTo(s);
        }
        assertThat(in.available()).isZero();
    }
}
