package dev.tandem.core.reference;

import dev.tandem.core.event.EventCodec;
import dev.tandem.core.event.EventSchemas;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.event.LogRecord;
import dev.tandem.core.testkit.LogBuilder;
import dev.tandem.core.validation.RejectReason;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.ViewKey;
import dev.tandem.core.view.ViewTable;
import dev.tandem.core.view.Views;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

import static dev.tandem.core.testkit.TestEvents.click;
import static dev.tandem.core.testkit.TestEvents.impression;
import static dev.tandem.core.testkit.TestEvents.order;
import static dev.tandem.core.testkit.TestEvents.search;
import static dev.tandem.core.testkit.TestEvents.t;
import static org.assertj.core.api.Assertions.assertThat;

/** Hand-computed cases: each expected number below is worked out in the comment beside it. */
class ReferenceEvaluatorTest {

    private static ViewKey campaign(String c, String hour) {
        return new ViewKey(List.of(c), t(hour));
    }

    private static Map<ViewKey, Aggregate> campaigns(Evaluation e) {
        return e.view(Views.CAMPAIGN_HOURLY).total();
    }

    @Test
    void clickExactlyOneHourAfterItsImpressionIsAttributed() {
        Evaluation e = ReferenceEvaluator.evaluate(new LogBuilder()
                .append(impression("i1", "u1", "c1", "2026-11-20T10:00:00Z"), "2026-11-20T10:00:01Z")
                .append(click("k1", "i1", "u1", "c1", "2026-11-20T11:00:00Z"), "2026-11-20T11:00:01Z")
                .build());
        // impression counts in 10:00; the click and its attribution in 11:00 (the click's hour)
        assertThat(campaigns(e).get(campaign("c1", "2026-11-20T10:00:00Z")).values()).containsExactly(1L, 0L, 0L, 1L);
        assertThat(campaigns(e).get(campaign("c1", "2026-11-20T11:00:00Z")).values()).containsExactly(0L, 1L, 1L, 0L);
        assertThat(e.attributedClicks()).isEqualTo(1);
    }

    @Test
    void clickOneMillisecondPastTheWindowIsNotAttributed() {
        Evaluation e = ReferenceEvaluator.evaluate(new LogBuilder()
                .append(impression("i1", "u1", "c1", "2026-11-20T10:00:00Z"), "2026-11-20T10:00:01Z")
                .append(click("k1", "i1", "u1", "c1", "2026-11-20T11:00:00.001Z"), "2026-11-20T11:00:01Z")
                .build());
        assertThat(campaigns(e).get(campaign("c1", "2026-11-20T11:00:00Z")).values()).containsExactly(0L, 1L, 0L, 0L);
        assertThat(e.attributedClicks()).isZero();
    }

    @Test
    void clickBeforeItsImpressionIsNotAttributed() {
        Evaluation e = ReferenceEvaluator.evaluate(new LogBuilder()
                .append(impression("i1", "u1", "c1", "2026-11-20T10:00:00Z"), "2026-11-20T10:00:01Z")
                .append(click("k1", "i1", "u1", "c1", "2026-11-20T09:59:59.999Z"), "2026-11-20T10:00:02Z")
                .build());
        assertThat(e.attributedClicks()).isZero();
        assertThat(campaigns(e).get(campaign("c1", "2026-11-20T09:00:00Z")).longValue("clicks")).isEqualTo(1);
    }

    @Test
    void clickIsAttributedUnderTheImpressionsCampaignEvenIfItNamesAnother() {
        Evaluation e = ReferenceEvaluator.evaluate(new LogBuilder()
                .append(impression("i1", "u1", "cA", "2026-11-20T10:00:00Z"), "2026-11-20T10:00:01Z")
                .append(click("k1", "i1", "u1", "cB", "2026-11-20T10:30:00Z"), "2026-11-20T10:30:01Z")
                .build());
        // clicks: under the click's own campaign cB; attributed_clicks: under the impression's cA
        assertThat(campaigns(e).get(campaign("cB", "2026-11-20T10:00:00Z")).values()).containsExactly(0L, 1L, 0L, 0L);
        assertThat(campaigns(e).get(campaign("cA", "2026-11-20T10:00:00Z")).values()).containsExactly(1L, 0L, 1L, 1L);
    }

    @Test
    void attributedClickCarriesTheLaterTag() {
        // the impression reaches the log two hours after its click (a late impression)
        List<IngestedEvent> log = new LogBuilder()
                .append(click("k1", "i1", "u1", "c1", "2026-11-20T10:10:00Z"), "2026-11-20T10:10:01Z")
                .append(impression("i1", "u1", "c1", "2026-11-20T10:05:00Z"), "2026-11-20T12:30:00Z")
                .build();
        ViewTable t = ReferenceEvaluator.evaluate(log).view(Views.CAMPAIGN_HOURLY);
        SortedMap<Long, Aggregate> tags = t.byTag().get(campaign("c1", "2026-11-20T10:00:00Z"));
        // tag 10:00 holds the click; tag 12:00 holds the impression and the attributed click
        assertThat(tags.get(t("2026-11-20T10:00:00Z")).values()).containsExactly(0L, 1L, 0L, 0L);
        assertThat(tags.get(t("2026-11-20T12:00:00Z")).values()).containsExactly(1L, 0L, 1L, 1L);
        // a batch with cutoff 11:00 has the click only; the realtime part adds the rest
        assertThat(t.batch(t("2026-11-20T11:00:00Z")).get(campaign("c1", "2026-11-20T10:00:00Z")).values())
                .containsExactly(0L, 1L, 0L, 0L);
        assertThat(t.realtime(t("2026-11-20T11:00:00Z")).get(campaign("c1", "2026-11-20T10:00:00Z")))
                .containsOnlyKeys(t("2026-11-20T12:00:00Z"));
    }

    @Test
    void duplicatesCountOnceUnderTheFirstCopysTag() {
        List<IngestedEvent> log = new LogBuilder()
                .append(search("s1", "u1", "red shoes", "2026-11-20T10:59:00Z"), "2026-11-20T10:59:59Z")
                .append(search("s1", "u1", "red shoes", "2026-11-20T10:59:00Z"), "2026-11-20T11:00:30Z")
                .append(search("s1", "u1", "red shoes", "2026-11-20T10:59:00Z"), "2026-11-20T13:00:00Z")
                .build();
        Evaluation e = ReferenceEvaluator.evaluate(log);
        assertThat(e.valid()).isEqualTo(1);
        assertThat(e.duplicates()).isEqualTo(2);
        SortedMap<Long, Aggregate> tags = e.view(Views.SEARCH_TERMS_DAILY).byTag()
                .get(new ViewKey(List.of("red"), t("2026-11-20T00:00:00Z")));
        assertThat(tags).containsOnlyKeys(t("2026-11-20T10:00:00Z"));
        assertThat(tags.get(t("2026-11-20T10:00:00Z")).longValue("occurrences")).isEqualTo(1);
    }

    @Test
    void firstCopyIsByLogOrderNotByInputOrder() {
        // partition 1 at the same ingest time comes after partition 0
        List<IngestedEvent> log = List.of(
                new IngestedEvent(order("o1", "u1", "eu", 100, "EUR", "2026-11-20T10:00:00Z"), t("2026-11-20T11:00:00Z"), 1, 0),
                new IngestedEvent(order("o1", "u1", "eu", 100, "EUR", "2026-11-20T10:00:00Z"), t("2026-11-20T11:00:00Z"), 0, 7),
                new IngestedEvent(order("o1", "u1", "eu", 100, "EUR", "2026-11-20T10:00:00Z"), t("2026-11-20T10:30:00Z"), 2, 9));
        ViewTable t = ReferenceEvaluator.evaluate(log).view(Views.REGION_REVENUE_HOURLY);
        assertThat(t.byTag().get(new ViewKey(List.of("eu", "EUR"), t("2026-11-20T10:00:00Z"))))
                .containsOnlyKeys(t("2026-11-20T10:00:00Z"));
    }

    @Test
    void lateEventsCountInTheirEventTimeBucketUnderTheirIngestTag() {
        // an order from two days ago arrives now
        Evaluation e = ReferenceEvaluator.evaluate(new LogBuilder()
                .append(order("o1", "u1", "us", 500, "USD", "2026-11-18T08:20:00Z"), "2026-11-20T10:00:00Z")
                .build());
        ViewTable t = e.view(Views.REGION_REVENUE_HOURLY);
        ViewKey k = new ViewKey(List.of("us", "USD"), t("2026-11-18T08:00:00Z"));
        assertThat(t.byTag().get(k)).containsOnlyKeys(t("2026-11-20T10:00:00Z"));
        assertThat(t.total().get(k).values()).containsExactly(1L, 500L, 1L);
    }

    @Test
    void v1OrdersCountAsUsd() {
        byte[] v1 = EventCodec.get().encode(order("o1", "u1", "us", 1250, null, "2026-11-20T10:00:00Z"), EventSchemas.V1);
        byte[] v2usd = EventCodec.get().encode(order("o2", "u2", "us", 750, "USD", "2026-11-20T10:10:00Z"));
        byte[] v2eur = EventCodec.get().encode(order("o3", "u1", "us", 300, "EUR", "2026-11-20T10:20:00Z"));
        long ingest = t("2026-11-20T10:30:00Z");
        Evaluation e = ReferenceEvaluator.evaluateLog(List.of(
                new LogRecord(v1, ingest, 0, 0), new LogRecord(v2usd, ingest, 0, 1), new LogRecord(v2eur, ingest, 0, 2)));
        Map<ViewKey, Aggregate> rows = e.view(Views.REGION_REVENUE_HOURLY).total();
        // USD: 1250 + 750 from u1 and u2; EUR: 300 from u1
        assertThat(rows.get(new ViewKey(List.of("us", "USD"), t("2026-11-20T10:00:00Z"))).values())
                .containsExactly(2L, 2000L, 2L);
        assertThat(rows.get(new ViewKey(List.of("us", "EUR"), t("2026-11-20T10:00:00Z"))).values())
                .containsExactly(1L, 300L, 1L);
    }

    @Test
    void badRecordsAreCountedByReasonAndNeverInViews() {
        long ingest = t("2026-11-20T10:30:00Z");
        Evaluation e = ReferenceEvaluator.evaluateLog(List.of(
                new LogRecord("garbage".getBytes(StandardCharsets.UTF_8), ingest, 0, 0),
                new LogRecord(EventCodec.get().encode(order("o1", "u1", "us", -5, "USD", "2026-11-20T10:00:00Z")), ingest, 0, 1),
                new LogRecord(EventCodec.get().encode(search("s1", "u1", "ok", "2026-11-20T10:00:00Z")), ingest, 0, 2)));
        assertThat(e.records()).isEqualTo(3);
        assertThat(e.valid()).isEqualTo(1);
        assertThat(e.rejected()).containsEntry(RejectReason.UNDECODABLE, 1L).containsEntry(RejectReason.NEGATIVE_TOTAL, 1L);
        assertThat(e.view(Views.REGION_REVENUE_HOURLY).total()).isEmpty();
        assertThat(e.view(Views.SEARCH_TERMS_DAILY).total()).hasSize(1);
    }

    @Test
    void searchTermsCountEveryOccurrencePerDay() {
        Evaluation e = ReferenceEvaluator.evaluate(new LogBuilder()
                .append(search("s1", "u1", "Red red SHOES", "2026-11-20T10:00:00Z"), "2026-11-20T10:00:01Z")
                .append(search("s2", "u2", "red-shoes!", "2026-11-20T23:59:59.999Z"), "2026-11-21T00:00:01Z")
                .append(search("s3", "u2", "red", "2026-11-21T00:00:00Z"), "2026-11-21T00:00:02Z")
                .build());
        Map<ViewKey, Aggregate> rows = e.view(Views.SEARCH_TERMS_DAILY).total();
        // 20th: red ×3 (2 + 1), shoes ×2; 21st: red ×1
        assertThat(rows.get(new ViewKey(List.of("red"), t("2026-11-20T00:00:00Z"))).longValue("occurrences")).isEqualTo(3);
        assertThat(rows.get(new ViewKey(List.of("shoes"), t("2026-11-20T00:00:00Z"))).longValue("occurrences")).isEqualTo(2);
        assertThat(rows.get(new ViewKey(List.of("red"), t("2026-11-21T00:00:00Z"))).longValue("occurrences")).isEqualTo(1);
        assertThat(rows).hasSize(3);
    }

    @Test
    void uniqueUsersCountDistinctImpressionUsers() {
        LogBuilder b = new LogBuilder();
        for (int i = 0; i < 10; i++) {
            b.append(impression("i" + i, "u" + (i % 3), "c1", "2026-11-20T10:0" + i + ":00Z"), "2026-11-20T10:0" + i + ":01Z");
        }
        Aggregate a = campaigns(ReferenceEvaluator.evaluate(b.build())).get(campaign("c1", "2026-11-20T10:00:00Z"));
        // 10 impressions from u0, u1, u2: three distinct (exact at this size)
        assertThat(a.values()).containsExactly(10L, 0L, 0L, 3L);
    }

    @Test
    void sharedImpressionIdAttributesToTheFirstMatchingImpressionInLogOrder() {
        Evaluation e = ReferenceEvaluator.evaluate(new LogBuilder()
                .append(impression("i1", "u1", "cA", "2026-11-20T08:00:00Z").toBuilder().eventId("x1").build(), "2026-11-20T08:00:01Z")
                .append(impression("i1", "u1", "cB", "2026-11-20T10:00:00Z").toBuilder().eventId("x2").build(), "2026-11-20T10:00:01Z")
                .append(impression("i1", "u1", "cC", "2026-11-20T10:10:00Z").toBuilder().eventId("x3").build(), "2026-11-20T10:10:01Z")
                .append(click("k1", "i1", "u1", "cZ", "2026-11-20T10:30:00Z"), "2026-11-20T10:30:01Z")
                .build());
        // cA's window has closed; cB and cC both match, cB is first in log order
        assertThat(campaigns(e).get(campaign("cB", "2026-11-20T10:00:00Z")).longValue("attributed_clicks")).isEqualTo(1);
        assertThat(campaigns(e).get(campaign("cC", "2026-11-20T10:00:00Z")).longValue("attributed_clicks")).isZero();
        assertThat(e.attributedClicks()).isEqualTo(1);
    }
}
