package dev.tandem.core.validation;

import dev.tandem.core.event.Event;
import dev.tandem.core.event.EventType;
import org.junit.jupiter.api.Test;

import static dev.tandem.core.testkit.TestEvents.click;
import static dev.tandem.core.testkit.TestEvents.impression;
import static dev.tandem.core.testkit.TestEvents.order;
import static dev.tandem.core.testkit.TestEvents.search;
import static dev.tandem.core.testkit.TestEvents.t;
import static org.assertj.core.api.Assertions.assertThat;

class EventValidatorTest {

    private static final long INGEST = t("2026-11-20T12:00:00Z");

    private static Rejection check(Event e) {
        return EventValidator.validate(e, INGEST);
    }

    @Test
    void acceptsEveryWellFormedType() {
        assertThat(check(impression("i", "u", "c", "2026-11-20T11:59:00Z"))).isNull();
        assertThat(check(click("k", "i", "u", "c", "2026-11-20T11:59:00Z"))).isNull();
        assertThat(check(order("o", "u", "eu", 0, "EUR", "2026-11-20T11:59:00Z"))).isNull();
        assertThat(check(search("s", "u", "", "2026-11-20T11:59:00Z"))).isNull();
    }

    @Test
    void missingTypeIsUnknownType() {
        Event e = search("s", "u", "q", "2026-11-20T11:00:00Z").toBuilder().eventType(null).build();
        assertThat(check(e).reason()).isEqualTo(RejectReason.UNKNOWN_TYPE);
    }

    @Test
    void everyTypeNamesTheFieldItLacks() {
        Event imp = impression("i", "u", "c", "2026-11-20T11:00:00Z");
        assertThat(check(imp.toBuilder().eventId(null).build())).isEqualTo(new Rejection(RejectReason.MISSING_FIELD, "event_id"));
        assertThat(check(imp.toBuilder().userId("").build())).isEqualTo(new Rejection(RejectReason.MISSING_FIELD, "user_id"));
        assertThat(check(imp.toBuilder().region(null).build()).detail()).isEqualTo("region");
        assertThat(check(imp.toBuilder().campaignId(null).build()).detail()).isEqualTo("campaign_id");
        assertThat(check(imp.toBuilder().adId(null).build()).detail()).isEqualTo("ad_id");
        assertThat(check(imp.toBuilder().impressionId(null).build()).detail()).isEqualTo("impression_id");

        Event clk = click("k", "i", "u", "c", "2026-11-20T11:00:00Z");
        assertThat(check(clk.toBuilder().impressionId(null).build()).detail()).isEqualTo("impression_id");
        assertThat(check(clk.toBuilder().campaignId(null).build()).detail()).isEqualTo("campaign_id");
        assertThat(check(clk.toBuilder().adId(null).build()).detail()).isEqualTo("ad_id");
        assertThat(check(clk.toBuilder().region(null).build())).as("a click needs no region").isNull();

        Event ord = order("o", "u", "eu", 10, "EUR", "2026-11-20T11:00:00Z");
        assertThat(check(ord.toBuilder().orderId(null).build()).detail()).isEqualTo("order_id");
        assertThat(check(ord.toBuilder().region(null).build()).detail()).isEqualTo("region");
        assertThat(check(ord.toBuilder().totalMinor(null).build()).detail()).isEqualTo("total_minor");

        Event s = search("s", "u", "q", "2026-11-20T11:00:00Z");
        assertThat(check(s.toBuilder().query(null).build()).detail()).isEqualTo("query");
        assertThat(check(s.toBuilder().eventType(EventType.AD_CLICK).build()).reason()).isEqualTo(RejectReason.MISSING_FIELD);
    }

    @Test
    void negativeTotal() {
        assertThat(check(order("o", "u", "eu", -1, "EUR", "2026-11-20T11:00:00Z")).reason())
                .isEqualTo(RejectReason.NEGATIVE_TOTAL);
    }

    @Test
    void queryLengthIsCountedInCharactersUpTo1024() {
        assertThat(check(search("s", "u", "a".repeat(1024), "2026-11-20T11:00:00Z"))).isNull();
        assertThat(check(search("s", "u", "a".repeat(1025), "2026-11-20T11:00:00Z")).reason())
                .isEqualTo(RejectReason.QUERY_TOO_LONG);
        // 1024 emoji are 2048 UTF-16 units but 1024 characters
        assertThat(check(search("s", "u", "\uD83D\uDE00".repeat(1024), "2026-11-20T11:00:00Z"))).isNull();
    }

    @Test
    void eventTimeBounds() {
        assertThat(check(search("s", "u", "q", "2000-01-01T00:00:00Z"))).isNull();
        assertThat(check(search("s", "u", "q", "1999-12-31T23:59:59.999Z")).reason())
                .isEqualTo(RejectReason.EVENT_TIME_BEFORE_2000);
        assertThat(check(search("s", "u", "q", "2026-11-21T12:00:00Z"))).as("exactly 24 h ahead is allowed").isNull();
        assertThat(check(search("s", "u", "q", "2026-11-21T12:00:00.001Z")).reason())
                .isEqualTo(RejectReason.EVENT_TIME_AFTER_INGEST);
    }

    @Test
    void reasonCodesAreStable() {
        for (RejectReason r : RejectReason.values()) {
            assertThat(RejectReason.ofCode(r.code())).isEqualTo(r);
            assertThat(r.code()).matches("[a-z0-9_]+");
        }
    }
}
