package dev.tandem.serving.realtime;

import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.RealtimeCodec;
import dev.tandem.core.view.ViewKey;
import dev.tandem.core.view.Views;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RealtimeStateTest {

    static final long H = 3_600_000L;

    static byte[] key(String campaign, long bucket, long tag) {
        return RealtimeCodec.encodeKey("campaign_hourly", new ViewKey(List.of(campaign), bucket), tag);
    }

    static byte[] value(long impressions) {
        return RealtimeCodec.encodeValue(Views.CAMPAIGN_HOURLY.zero().setLong("impressions", impressions));
    }

    @Test
    void upsertsAreAbsoluteAndTombstonesRemoveKeys() {
        RealtimeState s = new RealtimeState();
        s.applyRecord(key("c1", 10 * H, 10 * H), value(3));
        s.applyRecord(key("c1", 10 * H, 10 * H), value(5)); // absolute: replaces, does not add
        s.applyRecord(key("c1", 10 * H, 11 * H), value(2));
        s.applyRecord(key("c2", 9 * H, 12 * H), value(7));
        RealtimeSnapshot a = s.publish();
        assertThat(a.entries()).isEqualTo(3);
        assertThat(a.oldestTag()).isEqualTo(10 * H);
        assertThat(a.newestTag()).isEqualTo(12 * H);
        assertThat(a.tags(Views.CAMPAIGN_HOURLY, List.of("c1"), 10 * H).get(10 * H).longValue("impressions")).isEqualTo(5);

        s.applyRecord(key("c1", 10 * H, 10 * H), null);
        s.applyRecord(key("c9", 10 * H, 10 * H), null); // tombstone of an unknown key: nothing happens
        RealtimeSnapshot b = s.publish();
        assertThat(b.entries()).isEqualTo(2);
        assertThat(b.oldestTag()).isEqualTo(11 * H);
        assertThat(b.version()).isGreaterThan(a.version());
        // the earlier snapshot is untouched
        assertThat(a.tags(Views.CAMPAIGN_HOURLY, List.of("c1"), 10 * H)).containsKey(10 * H);
        assertThat(b.tags(Views.CAMPAIGN_HOURLY, List.of("c1"), 10 * H)).doesNotContainKey(10 * H);

        s.applyRecord(key("c1", 10 * H, 11 * H), null);
        s.applyRecord(key("c2", 9 * H, 12 * H), null);
        RealtimeSnapshot c = s.publish();
        assertThat(c.entries()).isZero();
        assertThat(c.oldestTag()).isNull();
        assertThat(c.range(Views.CAMPAIGN_HOURLY, 0, 100 * H)).isEmpty();
    }

    @Test
    void undecodableRecordsAreCountedAndSkipped() {
        RealtimeState s = new RealtimeState();
        s.applyRecord("not json".getBytes(StandardCharsets.UTF_8), value(1));
        s.applyRecord(RealtimeCodec.encodeKey("no_such_view", new ViewKey(List.of("x"), 0), 0), value(1));
        s.applyRecord(key("c1", 0, 0), new byte[] {9, 9});
        s.applyRecord(RealtimeCodec.encodeKey("campaign_hourly", new ViewKey(List.of("a", "b"), 0), 0), value(1));
        s.applyRecord(key("c1", 0, 0), value(1));
        assertThat(s.corruptRecords()).isEqualTo(4);
        assertThat(s.publish().entries()).isEqualTo(1);
    }

    @Test
    void rangeReturnsBucketsFromInclusiveToExclusive() {
        RealtimeState s = new RealtimeState();
        for (int b = 0; b < 5; b++) {
            s.applyRecord(key("c1", b * H, b * H), value(b + 1));
        }
        RealtimeSnapshot snap = s.publish();
        assertThat(snap.range(Views.CAMPAIGN_HOURLY, H, 3 * H).keySet()).containsExactly(H, 2 * H);
        assertThat(snap.range(Views.SEARCH_TERMS_DAILY, 0, 5 * H)).isEmpty();
        Aggregate agg = snap.tags(Views.CAMPAIGN_HOURLY, List.of("c1"), 4 * H).get(4 * H);
        assertThat(agg.longValue("impressions")).isEqualTo(5);
    }
}
