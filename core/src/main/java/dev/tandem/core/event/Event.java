package dev.tandem.core.event;

import java.util.Objects;

/**
 * One event as every reader sees it: the newest schema (v2). Fields a type does not use are null;
 * {@code currency} is never null because v1 data resolves to the schema default "USD".
 *
 * <p>{@code eventTime} is the producer's clock in epoch milliseconds: it buckets results and never
 * orders them (ordering is by ingest position, see {@link IngestedEvent}).
 */
public record Event(
        String eventId,
        EventType eventType,
        long eventTime,
        String userId,
        String region,
        String campaignId,
        String adId,
        String impressionId,
        String orderId,
        Long totalMinor,
        String query,
        String currency) {

    public static final String DEFAULT_CURRENCY = "USD";

    public Event {
        currency = currency == null ? DEFAULT_CURRENCY : currency;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .eventId(eventId).eventType(eventType).eventTime(eventTime).userId(userId)
                .region(region).campaignId(campaignId).adId(adId).impressionId(impressionId)
                .orderId(orderId).totalMinor(totalMinor).query(query).currency(currency);
    }

    /** Fluent construction; unset fields stay null (currency becomes "USD"). */
    public static final class Builder {
        private String eventId;
        private EventType eventType;
        private long eventTime;
        private String userId;
        private String region;
        private String campaignId;
        private String adId;
        private String impressionId;
        private String orderId;
        private Long totalMinor;
        private String query;
        private String currency;

        public Builder eventId(String v) { this.eventId = v; return this; }
        public Builder eventType(EventType v) { this.eventType = v; return this; }
        public Builder eventTime(long v) { this.eventTime = v; return this; }
        public Builder userId(String v) { this.userId = v; return this; }
        public Builder region(String v) { this.region = v; return this; }
        public Builder campaignId(String v) { this.campaignId = v; return this; }
        public Builder adId(String v) { this.adId = v; return this; }
        public Builder impressionId(String v) { this.impressionId = v; return this; }
        public Builder orderId(String v) { this.orderId = v; return this; }
        public Builder totalMinor(Long v) { this.totalMinor = v; return this; }
        public Builder query(String v) { this.query = v; return this; }
        public Builder currency(String v) { this.currency = v; return this; }

        public Event build() {
            return new Event(eventId, eventType, eventTime, userId, region, campaignId, adId,
                    impressionId, orderId, totalMinor, query, currency);
        }
    }

    @Override
    public String toString() {
        return "Event{" + eventType + " " + eventId + " t=" + eventTime + " user=" + userId
                + (campaignId != null ? " campaign=" + campaignId : "")
                + (impressionId != null ? " impression=" + impressionId : "")
                + (region != null ? " region=" + region : "")
                + (totalMinor != null ? " total=" + totalMinor + " " + currency : "")
                + (query != null ? " query=" + Objects.toString(query) : "") + "}";
    }
}
