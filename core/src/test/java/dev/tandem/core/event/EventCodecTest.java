package dev.tandem.core.event;

import dev.tandem.core.validation.Checked;
import dev.tandem.core.validation.RejectReason;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static dev.tandem.core.testkit.TestEvents.order;
import static dev.tandem.core.testkit.TestEvents.search;
import static dev.tandem.core.testkit.TestEvents.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventCodecTest {

    private final EventCodec codec = EventCodec.get();

    @Test
    void roundTripsEveryFieldWithTheLatestSchema() throws Exception {
        Event e = order("o1", "u1", "eu", 250_000L, "EUR", "2026-11-20T10:15:00Z");
        byte[] bytes = codec.encode(e);
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        assertThat(codec.decode(bytes)).isEqualTo(e);
    }

    @Test
    void headerCarriesTheWriterSchemaFingerprint() {
        Event e = search("s1", "u1", "red shoes", "2026-11-20T10:15:00Z");
        long v1 = SchemaNormalization.parsingFingerprint64(EventSchemas.V1);
        long v2 = SchemaNormalization.parsingFingerprint64(EventSchemas.V2);
        assertThat(v1).isNotEqualTo(v2);
        assertThat(fingerprint(codec.encode(e, EventSchemas.V1))).isEqualTo(v1);
        assertThat(fingerprint(codec.encode(e, EventSchemas.V2))).isEqualTo(v2);
    }

    @Test
    void v1RecordsResolveToV2WithUsd() throws Exception {
        Event written = order("o1", "u1", "us", 1999L, null, "2026-11-20T10:15:00Z");
        byte[] v1 = codec.encode(written, EventSchemas.V1);
        Event read = codec.decode(v1);
        assertThat(read.currency()).isEqualTo("USD");
        assertThat(read).isEqualTo(written);
        assertThat(v1.length).isLessThan(codec.encode(written).length);
    }

    @Test
    void garbageIsUndecodable() {
        assertThatThrownBy(() -> codec.decode("not avro".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DecodeException.class)
                .satisfies(ex -> assertThat(((DecodeException) ex).reason()).isEqualTo(RejectReason.UNDECODABLE));
    }

    @Test
    void unknownWriterSchemaIsUndecodable() {
        byte[] bytes = codec.encode(search("s1", "u1", "q", "2026-11-20T10:15:00Z"));
        bytes[5] ^= 0x5A; // flips a byte of the fingerprint
        Checked c = codec.check(bytes, t("2026-11-20T10:15:00Z"));
        assertThat(c.isValid()).isFalse();
        assertThat(c.rejection().reason()).isEqualTo(RejectReason.UNDECODABLE);
        assertThat(c.rejection().detail()).contains("unknown writer schema");
    }

    @Test
    void truncatedPayloadIsUndecodable() {
        byte[] bytes = codec.encode(search("s1", "u1", "a long enough query", "2026-11-20T10:15:00Z"));
        Checked c = codec.check(Arrays.copyOf(bytes, bytes.length - 6), t("2026-11-20T10:15:00Z"));
        assertThat(c.rejection().reason()).isEqualTo(RejectReason.UNDECODABLE);
    }

    @Test
    void checkAppliesValidationAfterDecoding() {
        Event negative = order("o1", "u1", "eu", -1L, "EUR", "2026-11-20T10:15:00Z");
        Checked c = codec.check(codec.encode(negative), t("2026-11-20T10:16:00Z"));
        assertThat(c.rejection().reason()).isEqualTo(RejectReason.NEGATIVE_TOTAL);
    }

    private static long fingerprint(byte[] singleObject) {
        long fp = 0;
        for (int i = 9; i >= 2; i--) {
            fp = (fp << 8) | (singleObject[i] & 0xFF);
        }
        return fp;
    }
}
