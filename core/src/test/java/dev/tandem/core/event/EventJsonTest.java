package dev.tandem.core.event;

import dev.tandem.core.validation.RejectReason;
import org.junit.jupiter.api.Test;

import static dev.tandem.core.testkit.TestEvents.impression;
import static dev.tandem.core.testkit.TestEvents.order;
import static dev.tandem.core.testkit.TestEvents.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventJsonTest {

    @Test
    void roundTrips() throws Exception {
        Event e = impression("i1", "u1", "c1", "2026-11-20T10:15:00.123Z");
        String json = EventJson.toJson(e);
        assertThat(json).contains("\"event_time\":\"2026-11-20T10:15:00.123Z\"");
        assertThat(EventJson.fromJson(json)).isEqualTo(e);
    }

    @Test
    void acceptsEpochMillisAndDefaultsCurrency() throws Exception {
        Event e = EventJson.fromJson("{\"event_id\":\"o1\",\"event_type\":\"ORDER_CREATED\",\"event_time\":"
                + t("2026-11-20T10:00:00Z") + ",\"user_id\":\"u\",\"region\":\"eu\",\"order_id\":\"x\",\"total_minor\":5}");
        assertThat(e).isEqualTo(order("o1", "u", "eu", 5, "USD", "2026-11-20T10:00:00Z").toBuilder().orderId("x").build());
    }

    @Test
    void namesWhatIsWrong() {
        assertThatThrownBy(() -> EventJson.fromJson("{\"event_type\":\"AD_VIEW\",\"event_time\":1}"))
                .satisfies(ex -> assertThat(((DecodeException) ex).reason()).isEqualTo(RejectReason.UNKNOWN_TYPE));
        assertThatThrownBy(() -> EventJson.fromJson("{\"event_type\":\"SEARCH\"}"))
                .satisfies(ex -> assertThat(((DecodeException) ex).reason()).isEqualTo(RejectReason.MISSING_FIELD));
        assertThatThrownBy(() -> EventJson.fromJson("{oops"))
                .satisfies(ex -> assertThat(((DecodeException) ex).reason()).isEqualTo(RejectReason.UNDECODABLE));
        assertThatThrownBy(() -> EventJson.fromJson("{\"event_type\":\"SEARCH\",\"event_time\":\"yesterday\"}"))
                .satisfies(ex -> assertThat(((DecodeException) ex).reason()).isEqualTo(RejectReason.UNDECODABLE));
    }
}
