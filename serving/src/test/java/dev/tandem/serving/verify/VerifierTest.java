package dev.tandem.serving.verify;

import dev.tandem.core.reference.ReferenceEvaluator;
import dev.tandem.core.testkit.RandomLogs;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.tandem.core.testkit.TestEvents.t;
import static org.assertj.core.api.Assertions.assertThat;

class VerifierTest {

    @Test
    void findsMissingExtraAndChangedRows() {
        Verifier.Rows expected = Verifier.expected(ReferenceEvaluator.evaluate(RandomLogs.generate(5, 300, t("2026-11-20T00:00:00Z"))));
        assertThat(expected.size()).isGreaterThan(20);
        assertThat(Verifier.compare(expected, expected)).isEmpty();

        Verifier.Rows served = Verifier.expected(ReferenceEvaluator.evaluate(RandomLogs.generate(5, 300, t("2026-11-20T00:00:00Z"))));
        String someKey = served.view("campaign_hourly").keySet().iterator().next();
        served.view("campaign_hourly").remove(someKey);
        served.view("search_terms_daily").put("[invented, 2026-11-20T00:00:00Z]", Map.of("occurrences", 1L));
        String otherKey = served.view("region_revenue_hourly").keySet().iterator().next();
        served.view("region_revenue_hourly").put(otherKey, Map.of("orders", -1L, "revenue_minor", 0L, "unique_buyers", 0L));

        assertThat(Verifier.compare(expected, served))
                .extracting(Verifier.Difference::key)
                .containsExactlyInAnyOrder(someKey, "[invented, 2026-11-20T00:00:00Z]", otherKey);
    }

    @Test
    void rangeCoversEveryExpectedBucketInWholeDays() {
        Verifier.Rows expected = Verifier.expected(ReferenceEvaluator.evaluate(RandomLogs.generate(2, 300, t("2026-11-20T00:00:00Z"))));
        long[] range = Verifier.range(expected, 0);
        assertThat(range[0] % 86_400_000L).isZero();
        assertThat(range[1] % 86_400_000L).isZero();
        for (Map<String, Map<String, Long>> rows : expected.views.values()) {
            for (String k : rows.keySet()) {
                long b = java.time.Instant.parse(k.substring(k.lastIndexOf(", ") + 2, k.length() - 1)).toEpochMilli();
                assertThat(b).isBetween(range[0], range[1] - 1);
            }
        }
    }
}
