package dev.tandem.datasets.generate;

import dev.tandem.core.event.Event;
import dev.tandem.core.event.EventCodec;
import dev.tandem.core.event.EventSchemas;
import dev.tandem.core.event.EventType;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.validation.RejectReason;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Makes one record at a time the way Tandem's producers would: an event for a Zipf-popular user,
 * campaign or product, encoded with the v1 or v2 writer schema, sometimes late, sometimes malformed.
 * Clicks refer to recent impressions, so most are attributable and some fall outside the 1 h window.
 * Shared by the history generator and the live producer so both produce the same kind of data.
 */
public final class EventFactory {

    /** One generated record: its Kafka key and value, and what the generator made it to be. */
    public record Made(String key, byte[] value, boolean late, RejectReason badReason) {
    }

    private static final int RECENT_IMPRESSIONS = 4_096;
    private static final long MAX_LATENESS_MS = 3 * IngestTags.DAY_MS;

    private final GeneratorConfig cfg;
    private final SplittableRandom rnd;
    private final Zipf users;
    private final Zipf campaigns;
    private final Zipf products;
    private final Zipf queryWords;
    private final long[] productPrice;
    // ring buffer of recent impressions: id, campaign, ad, event time
    private final String[] recentImpression = new String[RECENT_IMPRESSIONS];
    private final String[] recentCampaign = new String[RECENT_IMPRESSIONS];
    private final String[] recentAd = new String[RECENT_IMPRESSIONS];
    private final long[] recentTime = new long[RECENT_IMPRESSIONS];
    private long impressions;
    private long sequence;
    /** Event ids are "<seed as 16 hex digits>-<sequence as 8 hex digits>": unique per seed, sortable. */
    private final String idPrefix;

    public EventFactory(GeneratorConfig cfg, SplittableRandom rnd) {
        this.cfg = cfg;
        this.rnd = rnd;
        this.users = new Zipf(cfg.users(), 0.9);
        this.campaigns = new Zipf(cfg.campaigns(), 1.1);
        this.products = new Zipf(cfg.products(), 1.0);
        this.queryWords = new Zipf(Vocabulary.NOUNS.size(), 1.0);
        this.idPrefix = String.format(Locale.ROOT, "%016x-", cfg.seed());
        this.productPrice = new long[cfg.products()];
        for (int i = 0; i < productPrice.length; i++) {
            // prices from 4.99 to ~2,500.00, deterministic per product
            productPrice[i] = 499 + (long) (Math.pow((i * 7919L % 1000) / 1000.0, 3) * 249_500);
        }
    }

    /** The next record, for a producer whose broker will stamp it at about {@code ingestTime}. */
    public Made next(long ingestTime) {
        long id = sequence++;
        String user = "u" + users.sample(rnd);
        boolean late = rnd.nextDouble() < cfg.lateRate();
        long eventTime = late
                ? ingestTime - (long) Math.exp(rnd.nextDouble(Math.log(60_000), Math.log(MAX_LATENESS_MS)))
                : ingestTime - rnd.nextLong(0, 3_000) + (rnd.nextInt(50) == 0 ? rnd.nextLong(0, 2_000) : 0);
        Event e = event(id, user, eventTime);
        if (rnd.nextDouble() < cfg.badRate()) {
            return malformed(user, e, ingestTime);
        }
        boolean v1 = rnd.nextDouble() < cfg.v1Share();
        if (v1 && e.eventType() == EventType.ORDER_CREATED && !e.currency().equals(Event.DEFAULT_CURRENCY)) {
            // old producers predate currency and only ever sold in USD
            e = e.toBuilder().currency(Event.DEFAULT_CURRENCY).build();
        }
        byte[] bytes = EventCodec.get().encode(e, v1 ? EventSchemas.V1 : EventSchemas.V2);
        return new Made(user, bytes, late, null);
    }

    private Event event(long id, String user, long eventTime) {
        String eventId = idPrefix + hex8(id);
        int kind = rnd.nextInt(100);
        String region = Vocabulary.REGIONS.get(Math.floorMod(user.hashCode(), Vocabulary.REGIONS.size()));
        if (kind < 60 || (kind < 63 && impressions == 0)) {
            String campaign = "c" + campaigns.sample(rnd);
            String impressionId = "imp-" + eventId;
            String ad = campaign + "-ad" + rnd.nextInt(5);
            int slot = (int) (impressions++ % RECENT_IMPRESSIONS);
            recentImpression[slot] = impressionId;
            recentCampaign[slot] = campaign;
            recentAd[slot] = ad;
            recentTime[slot] = eventTime;
            return Event.builder().eventId(eventId).eventType(EventType.AD_IMPRESSION).eventTime(eventTime)
                    .userId(user).region(region).campaignId(campaign).adId(ad).impressionId(impressionId).build();
        }
        if (kind < 63) {
            // mostly a recent impression; the further back, the likelier the click misses the 1 h window
            long back = Math.min(impressions, RECENT_IMPRESSIONS);
            int slot = (int) ((impressions - 1 - (long) (back * Math.pow(rnd.nextDouble(), 6))) % RECENT_IMPRESSIONS);
            boolean unknown = rnd.nextInt(50) == 0;
            String campaign = rnd.nextInt(50) == 0 ? "c" + campaigns.sample(rnd) : recentCampaign[slot];
            // a click happens after its impression; if the chosen impression is newer than "now" (it was late), just after it
            long clickTime = eventTime >= recentTime[slot] ? eventTime : recentTime[slot] + rnd.nextLong(1_000, 60_000);
            return Event.builder().eventId(eventId).eventType(EventType.AD_CLICK).eventTime(clickTime)
                    .userId(user).campaignId(campaign).adId(recentAd[slot])
                    .impressionId(unknown ? "imp-never-seen-" + id : recentImpression[slot]).build();
        }
        if (kind < 70) {
            int product = products.sample(rnd);
            long total = productPrice[product] * (1 + rnd.nextInt(3));
            return Event.builder().eventId(eventId).eventType(EventType.ORDER_CREATED).eventTime(eventTime)
                    .userId(user).region(region).orderId("ord-" + eventId).totalMinor(total)
                    .currency(Vocabulary.currencyOf(region)).build();
        }
        return Event.builder().eventId(eventId).eventType(EventType.SEARCH).eventTime(eventTime)
                .userId(user).query(query()).build();
    }

    private String query() {
        if (rnd.nextInt(40) == 0) {
            return pick(Vocabulary.INTERNATIONAL);
        }
        StringBuilder q = new StringBuilder();
        if (rnd.nextInt(3) == 0) {
            q.append(pick(Vocabulary.ADJECTIVES)).append(' ');
        }
        if (rnd.nextInt(2) == 0) {
            q.append(pick(Vocabulary.COLORS)).append(' ');
        }
        q.append(Vocabulary.NOUNS.get(queryWords.sample(rnd)));
        if (rnd.nextInt(4) == 0) {
            q.append(' ').append(pick(Vocabulary.EXTRAS));
        }
        String s = q.toString();
        return switch (rnd.nextInt(20)) {
            case 0 -> s.toUpperCase(Locale.ROOT);
            case 1 -> s + "?";
            case 2 -> s.replace(' ', '-');
            default -> s;
        };
    }

    private Made malformed(String user, Event e, long ingestTime) {
        RejectReason reason;
        byte[] bytes;
        switch (rnd.nextInt(7)) {
            case 0 -> {
                reason = RejectReason.UNDECODABLE;
                bytes = ("{\"oops\": " + rnd.nextInt() + "}").getBytes(StandardCharsets.UTF_8);
            }
            case 1 -> {
                reason = RejectReason.UNDECODABLE;
                byte[] ok = EventCodec.get().encode(e);
                bytes = Arrays.copyOf(ok, Math.max(11, ok.length / 2));
            }
            case 2 -> {
                reason = RejectReason.MISSING_FIELD;
                bytes = EventCodec.get().encode(e.toBuilder().eventType(EventType.AD_IMPRESSION)
                        .region("eu").impressionId("imp-x").adId("ad-x").campaignId(null).build());
            }
            case 3 -> {
                reason = RejectReason.NEGATIVE_TOTAL;
                bytes = EventCodec.get().encode(e.toBuilder().eventType(EventType.ORDER_CREATED)
                        .region("us").orderId("ord-x").totalMinor(-1 - (long) rnd.nextInt(10_000)).build());
            }
            case 4 -> {
                reason = RejectReason.QUERY_TOO_LONG;
                bytes = EventCodec.get().encode(e.toBuilder().eventType(EventType.SEARCH)
                        .query("spam ".repeat(300)).build());
            }
            case 5 -> {
                reason = RejectReason.EVENT_TIME_BEFORE_2000;
                bytes = EventCodec.get().encode(e.toBuilder().eventTime(rnd.nextLong(0, 946_684_800_000L)).build());
            }
            default -> {
                reason = RejectReason.EVENT_TIME_AFTER_INGEST;
                bytes = EventCodec.get().encode(e.toBuilder()
                        .eventTime(ingestTime + 2 * IngestTags.DAY_MS + rnd.nextLong(0, IngestTags.DAY_MS)).build());
            }
        }
        return new Made(user, bytes, false, reason);
    }

    private static String hex8(long v) {
        String h = Long.toHexString(v);
        return h.length() >= 8 ? h : "00000000".substring(h.length()) + h;
    }

    private String pick(java.util.List<String> options) {
        return options.get(rnd.nextInt(options.size()));
    }
}
