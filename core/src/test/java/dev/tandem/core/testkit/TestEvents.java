package dev.tandem.core.testkit;

import dev.tandem.core.event.Event;
import dev.tandem.core.event.EventType;

import java.time.Instant;

/**
 * Builders for the events tests need, with the fields each type requires already set. Times are
 * ISO-8601 strings in tests so a reader can check hand-computed answers.
 */
public final class TestEvents {

    private TestEvents() {
    }

    public static long t(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    public static Event impression(String impressionId, String user, String campaign, String time) {
        return impression(impressionId, user, campaign, "eu", time);
    }

    public static Event impression(String impressionId, String user, String campaign, String region, String time) {
        return Event.builder().eventId("ev-" + impressionId).eventType(EventType.AD_IMPRESSION)
                .eventTime(t(time)).userId(user).region(region).campaignId(campaign)
                .adId("ad-" + campaign).impressionId(impressionId).build();
    }

    public static Event click(String eventId, String impressionId, String user, String campaign, String time) {
        return Event.builder().eventId(eventId).eventType(EventType.AD_CLICK).eventTime(t(time))
                .userId(user).campaignId(campaign).adId("ad-" + campaign).impressionId(impressionId).build();
    }

    public static Event order(String eventId, String user, String region, long totalMinor, String currency, String time) {
        return Event.builder().eventId(eventId).eventType(EventType.ORDER_CREATED).eventTime(t(time))
                .userId(user).region(region).orderId("o-" + eventId).totalMinor(totalMinor)
                .currency(currency).build();
    }

    public static Event search(String eventId, String user, String query, String time) {
        return Event.builder().eventId(eventId).eventType(EventType.SEARCH).eventTime(t(time))
                .userId(user).query(query).build();
    }
}
