package dev.tandem.serving.bench;

import dev.tandem.core.event.Event;
import dev.tandem.core.event.EventType;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.reference.ReferenceEvaluator;
import dev.tandem.core.storage.RunManifest;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.view.RealtimeCodec;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewTable;
import dev.tandem.core.view.Views;
import dev.tandem.serving.batch.BatchSnapshot;
import dev.tandem.serving.batch.BatchView;
import dev.tandem.serving.batch.ViewIndex;
import dev.tandem.serving.realtime.InMemoryRealtimeStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The benchmark's data set, deterministic: {@value #CAMPAIGNS} campaigns over {@value #HOURS}
 * hours, ~{@value #IMPRESSIONS_PER_HOUR} impressions per campaign and hour from a pool of users,
 * clicks on some, a few percent ingested one to three hours late (so keys carry several tags). The
 * batch layer holds tags below the cutoff ({@value #BATCH_HOURS} h in), the speed layer the tags
 * from two hours below it on: the last 12 buckets are merged from both layers.
 */
public final class BenchData {

    public static final int CAMPAIGNS = 20;
    public static final int HOURS = 72;
    public static final int BATCH_HOURS = 60;
    public static final int IMPRESSIONS_PER_HOUR = 60;
    public static final long START = Instant.parse("2026-11-20T00:00:00Z").toEpochMilli();

    public final BatchSnapshot batch;
    public final InMemoryRealtimeStore realtime;
    public final long cutoff;

    private BenchData(BatchSnapshot batch, InMemoryRealtimeStore realtime, long cutoff) {
        this.batch = batch;
        this.realtime = realtime;
        this.cutoff = cutoff;
    }

    /** The dashboard query: 48 hourly buckets × 20 campaigns, ending at the last hour. */
    public static String dashboardQuery() {
        long to = START + HOURS * IngestTags.HOUR_MS;
        long from = to - 48 * IngestTags.HOUR_MS;
        return "/api/v1/views/campaign_hourly/series?from=" + Instant.ofEpochMilli(from) + "&to=" + Instant.ofEpochMilli(to);
    }

    public static BenchData build() {
        SplittableRandom rnd = new SplittableRandom(42);
        List<IngestedEvent> log = new ArrayList<>();
        long offset = 0;
        for (int h = 0; h < HOURS; h++) {
            for (int c = 0; c < CAMPAIGNS; c++) {
                int n = IMPRESSIONS_PER_HOUR / 2 + rnd.nextInt(IMPRESSIONS_PER_HOUR);
                for (int i = 0; i < n; i++) {
                    long t = START + h * IngestTags.HOUR_MS + rnd.nextLong(IngestTags.HOUR_MS);
                    long ingest = t + (rnd.nextInt(100) < 4 ? rnd.nextLong(IngestTags.HOUR_MS, 3 * IngestTags.HOUR_MS) : rnd.nextLong(5_000));
                    String imp = "imp-" + h + "-" + c + "-" + i;
                    Event e = Event.builder().eventId("e-" + imp).eventType(EventType.AD_IMPRESSION).eventTime(t)
                            .userId("u" + rnd.nextInt(5_000)).region(rnd.nextBoolean() ? "eu" : "us")
                            .campaignId("c" + c).adId("a" + c).impressionId(imp).build();
                    log.add(new IngestedEvent(e, ingest, 0, offset++));
                    if (rnd.nextInt(10) == 0) {
                        long ct = t + rnd.nextLong(30 * 60_000L);
                        Event click = Event.builder().eventId("click-" + imp).eventType(EventType.AD_CLICK).eventTime(ct)
                                .userId(e.userId()).campaignId("c" + c).adId("a" + c).impressionId(imp).build();
                        log.add(new IngestedEvent(click, Math.max(ingest, ct) + 1_000, 0, offset++));
                    }
                }
            }
        }
        Map<String, ViewTable> tables = ReferenceEvaluator.evaluate(log).views();
        long cutoff = START + BATCH_HOURS * IngestTags.HOUR_MS;
        Map<String, BatchView> views = new HashMap<>();
        Map<String, Long> counts = new HashMap<>();
        for (ViewDefinition v : Views.ALL) {
            views.put(v.name(), ViewIndex.of(v, tables.get(v.name()).batch(cutoff)));
            counts.put(v.name(), (long) views.get(v.name()).size());
        }
        String run = "20261122T130000Z-bench-0001";
        RunManifest m = new RunManifest(run, "bench", "full", Instant.ofEpochMilli(cutoff).toString(), null, null,
                Map.of(), counts, Map.of(), Instant.ofEpochMilli(cutoff + 600_000).toString());
        BatchSnapshot batch = new BatchSnapshot(run, m, cutoff, System.currentTimeMillis(), views);
        List<InMemoryRealtimeStore.Record> records = new ArrayList<>();
        for (ViewTable t : tables.values()) {
            t.byTag().forEach((key, tags) -> tags.forEach((tag, agg) -> {
                if (tag >= cutoff - 2 * IngestTags.HOUR_MS) {
                    records.add(new InMemoryRealtimeStore.Record(RealtimeCodec.encodeKey(t.view().name(), key, tag),
                            RealtimeCodec.encodeValue(agg), tag));
                }
            }));
        }
        InMemoryRealtimeStore rt = new InMemoryRealtimeStore().putRecords(records);
        return new BenchData(batch, rt, cutoff);
    }
}
