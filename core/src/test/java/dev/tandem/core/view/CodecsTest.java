package dev.tandem.core.view;

import dev.tandem.core.reference.ReferenceEvaluator;
import dev.tandem.core.testkit.RandomLogs;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CodecsTest {

    @Test
    void realtimeKeysAndValuesRoundTrip() {
        ViewKey k = new ViewKey(List.of("eu", "E\"U,R]"), 1_763_632_800_000L);
        byte[] key = RealtimeCodec.encodeKey("region_revenue_hourly", k, 1_763_636_400_000L);
        assertThat(RealtimeCodec.decodeKey(key))
                .isEqualTo(new RealtimeCodec.RealtimeKey("region_revenue_hourly", k, 1_763_636_400_000L));
        Aggregate a = Views.REGION_REVENUE_HOURLY.zero()
                .add(new Fact(FactKind.ORDER, 0, 0, "u1", null, "eu", "EUR", 42, null));
        assertThat(RealtimeCodec.decodeValue(Views.REGION_REVENUE_HOURLY, RealtimeCodec.encodeValue(a))).isEqualTo(a);
        assertThatThrownBy(() -> RealtimeCodec.decodeKey("{}".getBytes())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RealtimeCodec.decodeValue(Views.REGION_REVENUE_HOURLY, new byte[] {9}))
                .hasMessageContaining("format");
    }

    @Test
    void batchRowsRoundTripThroughTheAvroSchema() {
        Map<String, ViewTable> tables = ReferenceEvaluator.evaluate(RandomLogs.generate(3, 400, 1_763_596_800_000L)).views();
        for (ViewDefinition view : Views.ALL) {
            Schema s = BatchViewSchema.avroSchema(view);
            assertThat(s.getFields()).extracting(Schema.Field::name).containsExactlyElementsOf(BatchViewSchema.columns(view));
            tables.get(view.name()).total().forEach((k, a) -> {
                GenericRecord r = BatchViewSchema.toRecord(view, s, k, a);
                assertThat(BatchViewSchema.keyOf(view, r)).isEqualTo(k);
                assertThat(BatchViewSchema.aggregateOf(view, r)).isEqualTo(a);
            });
        }
        assertThat(BatchViewSchema.columns(Views.CAMPAIGN_HOURLY)).containsExactly(
                "campaign_id", "bucket_start", "impressions", "clicks", "attributed_clicks", "unique_users_sketch");
    }
}
