package dev.tandem.core.testkit;

import dev.tandem.core.event.Event;
import dev.tandem.core.event.EventType;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.time.IngestTags;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Small random logs for property tests in every module: few ids so that duplicates, shared
 * impression ids, clicks at the window edges, late events and invalid events all happen often.
 * Deterministic per seed. (For realistic volumes use the datasets module's generator.)
 */
public final class RandomLogs {

    private RandomLogs() {
    }

    public static List<IngestedEvent> generate(long seed, int size, long startHour) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<IngestedEvent> log = new ArrayList<>(size);
        List<Event> impressions = new ArrayList<>();
        long[] offsets = new long[3];
        long ingest = startHour;
        for (int i = 0; i < size; i++) {
            ingest += rnd.nextLong(0, 4 * 60_000);
            int partition = rnd.nextInt(3);
            Event e;
            int kind = rnd.nextInt(100);
            long eventTime = ingest - (rnd.nextInt(20) == 0 ? rnd.nextLong(0, 2 * IngestTags.DAY_MS) : rnd.nextLong(0, 5_000));
            String user = "u" + rnd.nextInt(40);
            if (kind < 35) {
                String id = "imp" + rnd.nextInt(size);
                e = Event.builder().eventId("e-" + id).eventType(EventType.AD_IMPRESSION).eventTime(eventTime)
                        .userId(user).region(pick(rnd, "eu", "us", "apac")).campaignId("c" + rnd.nextInt(6))
                        .adId("a" + rnd.nextInt(10)).impressionId(id).build();
                impressions.add(e);
            } else if (kind < 60 && !impressions.isEmpty()) {
                Event imp = impressions.get(rnd.nextInt(impressions.size()));
                long offset = switch (rnd.nextInt(6)) {
                    case 0 -> IngestTags.HOUR_MS;            // exactly at the window's end
                    case 1 -> IngestTags.HOUR_MS + 1;        // just past it
                    case 2 -> -1;                            // just before the impression
                    default -> rnd.nextLong(0, IngestTags.HOUR_MS);
                };
                String campaign = rnd.nextInt(10) == 0 ? "c" + rnd.nextInt(6) : imp.campaignId();
                e = Event.builder().eventId("click" + rnd.nextInt(size)).eventType(EventType.AD_CLICK)
                        .eventTime(imp.eventTime() + offset).userId(user).campaignId(campaign)
                        .adId(imp.adId()).impressionId(rnd.nextInt(15) == 0 ? "imp-unknown" : imp.impressionId()).build();
            } else if (kind < 75) {
                e = Event.builder().eventId("order" + rnd.nextInt(size)).eventType(EventType.ORDER_CREATED)
                        .eventTime(eventTime).userId(user).region(pick(rnd, "eu", "us"))
                        .orderId("o" + i).totalMinor(rnd.nextLong(0, 100_000))
                        .currency(pick(rnd, "USD", "EUR", null)).build();
            } else {
                e = Event.builder().eventId("search" + rnd.nextInt(size)).eventType(EventType.SEARCH)
                        .eventTime(eventTime).userId(user)
                        .query(pick(rnd, "red shoes", "Red red SHOES!", "blue-jeans 32", "ÉTÉ robe", "")).build();
            }
            if (rnd.nextInt(25) == 0) {
                e = breakIt(e, rnd, ingest);
            }
            log.add(new IngestedEvent(e, ingest, partition, offsets[partition]++));
            if (rnd.nextInt(20) == 0) {
                // a producer retry: the same event again, a little later
                long retryAt = ingest + rnd.nextLong(1, 2 * IngestTags.HOUR_MS);
                int p = rnd.nextInt(3);
                log.add(new IngestedEvent(e, retryAt, p, offsets[p]++));
            }
        }
        return log;
    }

    private static Event breakIt(Event e, SplittableRandom rnd, long ingest) {
        return switch (rnd.nextInt(4)) {
            case 0 -> e.toBuilder().userId(null).build();
            case 1 -> e.toBuilder().eventTime(ingest + IngestTags.DAY_MS + 1).build();
            case 2 -> e.toBuilder().eventTime(TestEvents.t("1999-12-31T23:59:59.999Z")).build();
            default -> e.toBuilder().totalMinor(-5L).eventType(EventType.ORDER_CREATED)
                    .region("eu").orderId("bad").build();
        };
    }

    @SafeVarargs
    private static <T> T pick(SplittableRandom rnd, T... options) {
        return options[rnd.nextInt(options.length)];
    }
}
