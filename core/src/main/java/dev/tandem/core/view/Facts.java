package dev.tandem.core.view;

import dev.tandem.core.event.Event;
import dev.tandem.core.event.EventType;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.time.IngestTags;

/**
 * Turns deduplicated events into view facts, and holds the attribution rule (DESIGN §4): a click
 * is attributed to an impression with the same impression_id when the click's event time lies in
 * [impression time, impression time + 1 h], both ends included.
 */
public final class Facts {

    public static final long ATTRIBUTION_WINDOW_MS = IngestTags.HOUR_MS;

    private Facts() {
    }

    /** The fact of a valid, deduplicated event. */
    public static Fact of(IngestedEvent ie) {
        Event e = ie.event();
        return of(e.eventType(), e.eventTime(), ie.tag(), e.userId(), e.campaignId(), e.region(),
                e.currency(), e.totalMinor(), e.query());
    }

    /**
     * The same from the event's fields (engines that keep events in their own flat form): the fact
     * keeps only the fields its kind's views read.
     */
    public static Fact of(EventType type, long eventTime, long tag, String userId, String campaignId,
                          String region, String currency, Long totalMinor, String query) {
        return switch (type) {
            case AD_IMPRESSION -> new Fact(FactKind.IMPRESSION, eventTime, tag, userId, campaignId,
                    region, null, 0, null);
            case AD_CLICK -> new Fact(FactKind.CLICK, eventTime, tag, userId, campaignId,
                    null, null, 0, null);
            case ORDER_CREATED -> new Fact(FactKind.ORDER, eventTime, tag, userId, null,
                    region, currency, totalMinor, null);
            case SEARCH -> new Fact(FactKind.SEARCH, eventTime, tag, userId, null,
                    null, null, 0, query);
        };
    }

    /** Whether a click at {@code clickTime} falls in the window of an impression at {@code impressionTime}. */
    public static boolean inAttributionWindow(long impressionTime, long clickTime) {
        return clickTime >= impressionTime && clickTime - impressionTime <= ATTRIBUTION_WINDOW_MS;
    }

    /**
     * The attributed click of a click and its impression: the click's time and user, the
     * impression's campaign, and the later of the two tags.
     */
    public static Fact attributedClick(IngestedEvent click, IngestedEvent impression) {
        return attributedClick(click.event().eventTime(), click.tag(), click.event().userId(),
                impression.event().campaignId(), impression.tag());
    }

    /** The same, from the few fields engines keep in state. */
    public static Fact attributedClick(long clickTime, long clickTag, String clickUser,
                                       String impressionCampaign, long impressionTag) {
        return new Fact(FactKind.ATTRIBUTED_CLICK, clickTime, IngestTags.derivedTag(clickTag, impressionTag),
                clickUser, impressionCampaign, null, null, 0, null);
    }
}
