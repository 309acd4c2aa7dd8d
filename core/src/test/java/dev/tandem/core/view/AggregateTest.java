package dev.tandem.core.view;

import org.apache.datasketches.hll.HllSketch;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class AggregateTest {

    private static Fact impression(String user, String campaign) {
        return new Fact(FactKind.IMPRESSION, 0, 0, user, campaign, "eu", null, 0, null);
    }

    @Test
    void mergeIsAssociativeAndCommutativeWithZeroAsIdentity() {
        SplittableRandom rnd = new SplittableRandom(1);
        List<Aggregate> parts = new ArrayList<>();
        for (int p = 0; p < 5; p++) {
            Aggregate a = Views.CAMPAIGN_HOURLY.zero();
            for (int i = 0; i < 2_000; i++) {
                a.add(impression("u" + rnd.nextInt(20_000), "c"));
            }
            parts.add(a);
        }
        Aggregate leftFold = Views.CAMPAIGN_HOURLY.zero();
        parts.forEach(p -> leftFold.merge(p.copy()));
        Aggregate rightFold = Views.CAMPAIGN_HOURLY.zero();
        for (int i = parts.size() - 1; i >= 0; i--) {
            rightFold.merge(parts.get(i).copy());
        }
        Aggregate tree = parts.get(0).copy().merge(parts.get(1).copy())
                .merge(parts.get(2).copy().merge(parts.get(3).copy().merge(parts.get(4))));
        assertThat(rightFold).isEqualTo(leftFold);
        assertThat(tree).isEqualTo(leftFold);
        assertThat(leftFold.longValue("impressions")).isEqualTo(10_000);
    }

    @Test
    void unionEstimateEqualsDirectSketchEstimate() {
        // the property that lets sketches from different engines and merge orders compare equal
        HllSketch direct = Hll.newSketch();
        HllSketch a = Hll.newSketch();
        HllSketch b = Hll.newSketch();
        for (int i = 0; i < 50_000; i++) {
            String item = "user-" + (i * 7919 % 30_000);
            direct.update(item);
            (i % 2 == 0 ? a : b).update(item);
        }
        double union = Hll.estimate(Hll.union(a, b));
        assertThat(union).isEqualTo(Hll.estimate(direct));
        assertThat(union).isCloseTo(30_000, org.assertj.core.data.Percentage.withPercentage(5));
        assertThat(Hll.estimate(Hll.toBytes(direct))).isEqualTo(Hll.estimate(direct));
    }

    @Test
    void bytesRoundTrip() {
        Aggregate a = Views.REGION_REVENUE_HOURLY.zero();
        a.add(new Fact(FactKind.ORDER, 0, 0, "u1", null, "eu", "EUR", 1234, null));
        a.add(new Fact(FactKind.ORDER, 0, 0, "u2", null, "eu", "EUR", 66, null));
        Aggregate back = Aggregate.fromBytes(Views.REGION_REVENUE_HOURLY, a.toBytes());
        assertThat(back).isEqualTo(a);
        assertThat(back.values()).containsExactly(2L, 1300L, 2L);
        assertThat(Views.REGION_REVENUE_HOURLY.zero().isZero()).isTrue();
        assertThat(a.isZero()).isFalse();
    }

    @Test
    void contributionsFollowTheDefinition() {
        Fact search = new Fact(FactKind.SEARCH, 86_400_000L + 5, 0, "u", null, null, null, 0, "a b a");
        List<ViewDefinition.Contribution> cs = Views.SEARCH_TERMS_DAILY.contributions(search);
        assertThat(cs).extracting(c -> c.key().dims().get(0)).containsExactly("a", "b", "a");
        assertThat(cs).allSatisfy(c -> assertThat(c.key().bucketStart()).isEqualTo(86_400_000L));
        assertThat(Views.CAMPAIGN_HOURLY.contributions(search)).isEmpty();
        assertThat(Views.REGION_REVENUE_HOURLY.zero().view().metrics().get(2).column()).isEqualTo("unique_buyers_sketch");
    }
}
