package dev.tandem.serving.query;

import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.reference.ReferenceEvaluator;
import dev.tandem.core.testkit.LogBuilder;
import dev.tandem.core.testkit.RandomLogs;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.Granularity;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewKey;
import dev.tandem.core.view.ViewTable;
import dev.tandem.core.view.Views;
import dev.tandem.serving.batch.BatchSnapshot;
import dev.tandem.serving.batch.BatchSource;
import dev.tandem.serving.realtime.InMemoryRealtimeStore;
import dev.tandem.serving.realtime.RealtimeStore;
import dev.tandem.serving.testing.Layers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.tandem.core.testkit.TestEvents.impression;
import static dev.tandem.core.testkit.TestEvents.t;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The merge, case by case, with answers compared against the reference evaluator: the batch layer
 * holds {@code table.batch(H)}, the speed layer its tags, and the served answer must equal
 * {@code table.total()} (or, with a coverage gap, exactly the part both layers hold).
 */
class MergeTest {

    static final long START = t("2026-11-20T00:00:00Z");
    static final long HOUR = IngestTags.HOUR_MS;
    static Map<String, ViewTable> tables;
    static long end; // past every tag and bucket of the log

    @BeforeAll
    static void evaluate() {
        List<IngestedEvent> log = RandomLogs.generate(11, 1200, START);
        tables = ReferenceEvaluator.evaluate(log).views();
        end = IngestTags.tagOf(log.stream().mapToLong(IngestedEvent::ingestTime).max().orElseThrow()) + IngestTags.DAY_MS;
        assertThat(tables.get("campaign_hourly").byTag().values().stream().mapToLong(m -> m.size()).sum())
                .as("keys with several tags").isGreaterThan(tables.get("campaign_hourly").byTag().size());
    }

    static QueryService service(BatchSnapshot batch, RealtimeStore rt) {
        return new QueryService(() -> batch, rt, () -> end);
    }

    static SeriesQuery all(ViewDefinition v) {
        long from = v.granularity().bucketStart(START - 3 * IngestTags.DAY_MS);
        return new SeriesQuery(v, from, Granularity.DAY.bucketStart(end) + IngestTags.DAY_MS, v.granularity(), Map.of(), v.dimensionNames(), Metrics.names(v));
    }

    static void assertServes(QueryService svc, Map<String, Map<ViewKey, Aggregate>> expectedByView) {
        for (ViewDefinition v : Views.ALL) {
            QueryService.SeriesAnswer a = svc.series(all(v));
            Map<ViewKey, Map<String, Object>> served = Layers.served(a.rows(), v.dimensionNames(), Metrics.names(v));
            List<ViewKey> order = a.rows().stream().map(r -> new ViewKey(v.dimensionNames().stream().map(d -> (String) r.get(d)).toList(),
                    Iso.parse("bucket_start", (String) r.get("bucket_start")))).toList();
            assertThat(order).as(v.name() + " rows sorted by bucket, then dims").isSortedAccordingTo(ViewKey::compareTo);
            Map<ViewKey, Map<String, Object>> expected = Layers.expected(v, expectedByView.get(v.name()));
            assertThat(expected).as(v.name()).isNotEmpty();
            assertThat(served).as(v.name()).isEqualTo(expected);
        }
    }

    static Map<String, Map<ViewKey, Aggregate>> totals() {
        Map<String, Map<ViewKey, Aggregate>> out = new HashMap<>();
        tables.forEach((n, t) -> out.put(n, t.total()));
        return out;
    }

    @Test
    void noBatchYetServesTheSpeedLayerAlone() {
        QueryService svc = service(BatchSnapshot.none(0), Layers.realtime(tables, Long.MIN_VALUE, Long.MAX_VALUE));
        assertServes(svc, totals());
        assertThat(svc.series(all(Views.CAMPAIGN_HOURLY)).warnings()).anyMatch(w -> w.contains("no batch version"));
        assertThat(svc.status()).extractingByKey("coverage").asString().contains("realtime-only");
    }

    @Test
    void batchOnlyServesTheBatchVersion() {
        QueryService svc = service(Layers.batch(tables, end, "20261122T120000Z-test-0001"), new InMemoryRealtimeStore());
        assertServes(svc, totals());
        QueryService.SeriesAnswer a = svc.series(all(Views.CAMPAIGN_HOURLY));
        assertThat(a.warnings()).isEmpty();
        assertThat(a.batch()).containsEntry("run", "20261122T120000Z-test-0001").containsEntry("cutoff", Iso.format(end));
    }

    @Test
    void tagsStraddlingTheCutoffCountOnceWhateverTheCutoff() {
        for (long h = 0; h <= 96; h += 24) {
            long cutoff = START + h * HOUR;
            // The speed layer still holds tags below H (its retention overlaps the batch): ignored.
            QueryService overlapping = service(Layers.batch(tables, cutoff, "20261122T120000Z-test-0002"),
                    Layers.realtime(tables, cutoff - 6 * HOUR, Long.MAX_VALUE));
            assertServes(overlapping, totals());
            QueryService exact = service(Layers.batch(tables, cutoff, "20261122T120000Z-test-0003"),
                    Layers.realtime(tables, cutoff, Long.MAX_VALUE));
            assertServes(exact, totals());
            assertThat(exact.series(all(Views.REGION_REVENUE_HOURLY)).warnings()).isEmpty();
        }
    }

    @Test
    void aVersionPublishedMidQueryIsNotMixedIn() {
        long h1 = START + 12 * HOUR;
        long h2 = START + 30 * HOUR;
        BatchSnapshot v1 = Layers.batch(tables, h1, "20261122T120000Z-test-0004");
        BatchSnapshot v2 = Layers.batch(tables, h2, "20261122T130000Z-test-0005");
        AtomicInteger calls = new AtomicInteger();
        // Every read of the batch source sees the other version: a query that read it twice would mix them.
        BatchSource flipping = () -> calls.getAndIncrement() % 2 == 0 ? v1 : v2;
        QueryService svc = new QueryService(flipping, Layers.realtime(tables, h1, Long.MAX_VALUE), () -> end);
        for (int i = 0; i < 6; i++) {
            assertServes(svc, totals());
        }
        assertThat(calls.get()).isEqualTo(18);
    }

    @Test
    void aCoverageGapIsReportedAndTheAnswerHoldsExactlyBothLayers() {
        long cutoff = START + 10 * HOUR;
        long oldest = START + 20 * HOUR;
        InMemoryRealtimeStore rt = Layers.realtime(tables, oldest, Long.MAX_VALUE);
        QueryService svc = service(Layers.batch(tables, cutoff, "20261122T120000Z-test-0006"), rt);
        Map<String, Map<ViewKey, Aggregate>> expected = new HashMap<>();
        tables.forEach((n, t) -> {
            SortedMap<ViewKey, Aggregate> rows = t.batch(cutoff);
            Layers.tagRange(t, oldest, Long.MAX_VALUE).forEach((k, a) -> rows.merge(k, a, Aggregate::merge));
            expected.put(n, rows);
        });
        assertServes(svc, expected);
        assertThat(svc.series(all(Views.CAMPAIGN_HOURLY)).warnings())
                .anyMatch(w -> w.contains("coverage gap") && w.contains(Iso.format(cutoff)) && w.contains(Iso.format(oldest)));
        @SuppressWarnings("unchecked")
        Map<String, Object> coverage = (Map<String, Object>) svc.status().get("coverage");
        assertThat(coverage).containsEntry("state", "gap").containsEntry("complete", false);
        assertThat(coverage.get("gap")).isEqualTo(Map.of("from", Iso.format(cutoff), "to", Iso.format(oldest), "hours", 10L));
        assertThat(svc.gauges().coverageGapHours()).isEqualTo(10.0);
    }

    @Test
    void distinctCountsComeFromSketchesMergedAcrossLayersAndAcrossHours() {
        // u1, u2 before the cutoff (batch); u2, u3 after it (speed layer); same campaign and hour.
        String hour = "2026-11-20T05";
        List<IngestedEvent> log = new LogBuilder()
                .append(impression("i1", "u1", "c1", hour + ":01:00Z"), hour + ":01:00Z")
                .append(impression("i2", "u2", "c1", hour + ":02:00Z"), hour + ":02:00Z")
                .append(impression("i3", "u2", "c1", hour + ":03:00Z"), "2026-11-20T06:00:10Z")
                .append(impression("i4", "u3", "c1", hour + ":04:00Z"), "2026-11-20T06:00:20Z")
                .append(impression("i5", "u1", "c1", "2026-11-20T07:10:00Z"), "2026-11-20T07:10:00Z")
                .build();
        Map<String, ViewTable> small = ReferenceEvaluator.evaluate(log).views();
        long cutoff = t("2026-11-20T06:00:00Z");
        QueryService svc = service(Layers.batch(small, cutoff, "20261122T120000Z-test-0007"),
                Layers.realtime(small, cutoff, Long.MAX_VALUE));
        SeriesQuery hourly = new SeriesQuery(Views.CAMPAIGN_HOURLY, t("2026-11-20T00:00:00Z"), t("2026-11-21T00:00:00Z"),
                Granularity.HOUR, Map.of(), List.of("campaign_id"), List.of("impressions", "unique_users"));
        List<Map<String, Object>> rows = svc.series(hourly).rows();
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).containsEntry("bucket_start", "2026-11-20T05:00:00Z")
                .containsEntry("impressions", 4L).containsEntry("unique_users", 3L); // not 2 + 2
        SeriesQuery daily = new SeriesQuery(Views.CAMPAIGN_HOURLY, t("2026-11-20T00:00:00Z"), t("2026-11-21T00:00:00Z"),
                Granularity.DAY, Map.of(), List.of(), List.of("impressions", "unique_users"));
        assertThat(svc.series(daily).rows()).containsExactly(
                Map.of("bucket_start", "2026-11-20T00:00:00Z", "impressions", 5L, "unique_users", 3L)); // not 3 + 1
    }

    @Test
    void dayRollupsFiltersAndGroupByEqualTheReferenceRolledUpWithTheMonoid() {
        QueryService svc = service(Layers.batch(tables, START + 20 * HOUR, "20261122T120000Z-test-0008"),
                Layers.realtime(tables, START + 14 * HOUR, Long.MAX_VALUE));
        ViewDefinition v = Views.REGION_REVENUE_HOURLY;
        long from = START - 3 * IngestTags.DAY_MS;
        long to = Granularity.DAY.bucketStart(end) + IngestTags.DAY_MS;
        SeriesQuery q = new SeriesQuery(v, from, to, Granularity.DAY, Map.of("currency", Set.of("USD")),
                List.of("region"), Metrics.names(v));
        Map<ViewKey, Aggregate> usd = new java.util.TreeMap<>();
        tables.get(v.name()).total().forEach((k, a) -> {
            if (k.dims().get(1).equals("USD")) {
                usd.put(k, a);
            }
        });
        Map<ViewKey, Map<String, Object>> expected = Layers.expected(v, Layers.rollup(usd, IngestTags.DAY_MS, 0));
        assertThat(expected).hasSizeGreaterThan(1);
        assertThat(Layers.served(svc.series(q).rows(), List.of("region"), Metrics.names(v))).isEqualTo(expected);

        ViewDefinition c = Views.CAMPAIGN_HOURLY;
        SeriesQuery total = new SeriesQuery(c, from, to, Granularity.DAY, Map.of(), List.of(), Metrics.names(c));
        Map<ViewKey, Map<String, Object>> expectedTotal = Layers.expected(c, Layers.rollup(tables.get(c.name()).total(), IngestTags.DAY_MS));
        Map<ViewKey, Map<String, Object>> servedTotal = Layers.served(svc.series(total).rows(), List.of(), Metrics.names(c));
        assertThat(servedTotal).isEqualTo(expectedTotal);
        assertThat(servedTotal.values()).allSatisfy(m -> assertThat(m.get("ctr")).isInstanceOf(Double.class));
    }

    @Test
    void ctrIsNullWithoutImpressions() {
        Aggregate clicksOnly = Views.CAMPAIGN_HOURLY.zero().setLong("clicks", 3).setLong("attributed_clicks", 0);
        assertThat(Metrics.value(clicksOnly, "ctr")).isNull();
        Aggregate some = Views.CAMPAIGN_HOURLY.zero().setLong("impressions", 8).setLong("attributed_clicks", 2);
        assertThat(Metrics.value(some, "ctr")).isEqualTo(0.25);
    }

    @Test
    void topRanksTheMergedTotalsOverTheRange() {
        QueryService svc = service(Layers.batch(tables, START + 24 * HOUR, "20261122T120000Z-test-0009"),
                Layers.realtime(tables, START + 24 * HOUR, Long.MAX_VALUE));
        ViewDefinition v = Views.SEARCH_TERMS_DAILY;
        long from = START - 3 * IngestTags.DAY_MS;
        long to = Granularity.DAY.bucketStart(end) + IngestTags.DAY_MS;
        QueryService.TopAnswer a = svc.top(new TopQuery(v, from, to, "occurrences", 3, Map.of(), List.of("occurrences")));
        Map<String, Long> byTerm = new HashMap<>();
        tables.get(v.name()).total().forEach((k, agg) -> byTerm.merge(k.dims().get(0), agg.longValue("occurrences"), Long::sum));
        List<Map<String, Object>> expected = byTerm.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(3).map(e -> Map.<String, Object>of("term", e.getKey(), "occurrences", e.getValue())).toList();
        assertThat(a.rows()).containsExactlyElementsOf(expected);
        assertThat(a.rows()).hasSize(3);
    }

    @Test
    void anAnswerOverTheRowLimitIsRefused() {
        Aggregate one = Views.SEARCH_TERMS_DAILY.zero().setLong("occurrences", 1);
        List<InMemoryRealtimeStore.Record> records = new java.util.ArrayList<>();
        for (int i = 0; i < QueryLimits.MAX_GROUPS + 5; i++) {
            records.add(new InMemoryRealtimeStore.Record(dev.tandem.core.view.RealtimeCodec.encodeKey("search_terms_daily",
                    new ViewKey(List.of("t" + i), START), START), dev.tandem.core.view.RealtimeCodec.encodeValue(one), START));
        }
        InMemoryRealtimeStore rt = new InMemoryRealtimeStore().putRecords(records);
        QueryService svc = service(BatchSnapshot.none(0), rt);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> svc.series(all(Views.SEARCH_TERMS_DAILY)))
                .isInstanceOf(QueryException.class).hasMessageContaining("10000 series");
        // grouped over all terms it is one row per day
        SeriesQuery total = new SeriesQuery(Views.SEARCH_TERMS_DAILY, START, START + IngestTags.DAY_MS, Granularity.DAY,
                Map.of(), List.of(), List.of("occurrences"));
        assertThat(svc.series(total).rows()).containsExactly(
                Map.of("bucket_start", Iso.format(START), "occurrences", (long) QueryLimits.MAX_GROUPS + 5));
    }
}
