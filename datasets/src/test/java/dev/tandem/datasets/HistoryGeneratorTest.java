package dev.tandem.datasets;

import dev.tandem.core.event.EventCodec;
import dev.tandem.core.event.EventSchemas;
import dev.tandem.core.event.LogRecord;
import dev.tandem.core.reference.Evaluation;
import dev.tandem.core.reference.ReferenceEvaluator;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.validation.Checked;
import dev.tandem.core.validation.RejectReason;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.ViewKey;
import dev.tandem.core.view.Views;
import dev.tandem.datasets.generate.GeneratorConfig;
import dev.tandem.datasets.generate.HistoryGenerator;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.tandem.core.testkit.TestEvents.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class HistoryGeneratorTest {

    private static final long START = t("2026-11-20T00:00:00Z");

    private static List<LogRecord> generate(GeneratorConfig cfg, int hours) throws Exception {
        return new HistoryGenerator(cfg, START, hours).generateAll();
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherBytes() throws Exception {
        List<LogRecord> a = generate(GeneratorConfig.defaults(7, 20_000), 24);
        List<LogRecord> b = generate(GeneratorConfig.defaults(7, 20_000), 24);
        List<LogRecord> c = generate(GeneratorConfig.defaults(8, 20_000), 24);
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.get(i).value()).isEqualTo(b.get(i).value());
            assertThat(a.get(i).ingestTime()).isEqualTo(b.get(i).ingestTime());
            assertThat(a.get(i).partition()).isEqualTo(b.get(i).partition());
            assertThat(a.get(i).offset()).isEqualTo(b.get(i).offset());
        }
        assertThat(Arrays.equals(a.get(0).value(), c.get(0).value())).isFalse();
    }

    @Test
    void recordsAreInLogOrderWithConsecutiveOffsetsPerPartitionAndTheDailyRhythm() throws Exception {
        List<LogRecord> log = generate(GeneratorConfig.defaults(1, 48_000), 48);
        assertThat(log).isSortedAccordingTo(Comparator.comparingLong(LogRecord::ingestTime));
        Map<Integer, Long> next = new HashMap<>();
        for (LogRecord r : log) {
            assertThat(r.offset()).isEqualTo(next.getOrDefault(r.partition(), 0L));
            next.put(r.partition(), r.offset() + 1);
            assertThat(r.ingestTime()).isBetween(START, START + 48 * IngestTags.HOUR_MS - 1);
        }
        assertThat(next).containsOnlyKeys(0, 1, 2, 3);
        assertThat(log.size()).isBetween(96_000, 97_000); // 2 days × 48k plus ~0.5 % retries
        Map<Integer, Long> byHourOfDay = log.stream().collect(Collectors.groupingBy(
                r -> (int) ((r.ingestTime() / IngestTags.HOUR_MS) % 24), Collectors.counting()));
        assertThat(byHourOfDay.get(20)).as("evening peak vs night trough").isGreaterThan(2 * byHourOfDay.get(4));
    }

    @Test
    void ratesAreWithinTolerance() throws Exception {
        GeneratorConfig cfg = GeneratorConfig.defaults(11, 200_000);
        HistoryGenerator g = new HistoryGenerator(cfg, START, 24);
        List<LogRecord> log = g.generateAll();
        long v1 = SchemaNormalization.parsingFingerprint64(EventSchemas.V1);
        Map<RejectReason, Long> rejected = new EnumMap<>(RejectReason.class);
        long valid = 0, fromV1 = 0, late = 0;
        Set<String> ids = new HashSet<>();
        long duplicates = 0;
        for (LogRecord r : log) {
            Checked c = EventCodec.get().check(r.value(), r.ingestTime());
            if (!c.isValid()) {
                rejected.merge(c.rejection().reason(), 1L, Long::sum);
                continue;
            }
            valid++;
            if (!ids.add(c.event().eventId())) {
                duplicates++;
            }
            if (fingerprint(r.value()) == v1) {
                fromV1++;
            }
            if (r.ingestTime() - c.event().eventTime() >= 60_000) {
                late++;
            }
        }
        double n = log.size();
        assertThat(rejected.values().stream().mapToLong(Long::longValue).sum() / n).isCloseTo(0.001, within(0.0004));
        assertThat(rejected).as("validation finds exactly what the generator broke").isEqualTo(g.stats().badByReason());
        assertThat(duplicates).isEqualTo(g.stats().duplicates());
        assertThat(duplicates / n).isCloseTo(0.005, within(0.001));
        assertThat(late / n).isCloseTo(0.01, within(0.002));
        assertThat(fromV1 / (double) valid).isCloseTo(0.25, within(0.01));
        assertThat(g.stats().records()).isEqualTo(log.size());
    }

    @Test
    void viewsHaveSkewAttributionAndMisses() throws Exception {
        List<LogRecord> log = generate(GeneratorConfig.defaults(3, 50_000), 24);
        Evaluation e = ReferenceEvaluator.evaluateLog(log);
        Map<String, Long> impressionsByCampaign = new HashMap<>();
        long clicks = 0, attributed = 0;
        for (Map.Entry<ViewKey, Aggregate> row : e.view(Views.CAMPAIGN_HOURLY).total().entrySet()) {
            impressionsByCampaign.merge(row.getKey().dims().get(0), row.getValue().longValue("impressions"), Long::sum);
            clicks += row.getValue().longValue("clicks");
            attributed += row.getValue().longValue("attributed_clicks");
        }
        List<Long> sorted = impressionsByCampaign.values().stream().sorted(Comparator.reverseOrder()).toList();
        assertThat(sorted.get(0)).as("the hottest campaign dwarfs the median one").isGreaterThan(20 * sorted.get(sorted.size() / 2));
        assertThat(attributed).isPositive().isLessThan(clicks);
        assertThat((double) attributed / clicks).isGreaterThan(0.8);
        Map<ViewKey, Aggregate> revenue = e.view(Views.REGION_REVENUE_HOURLY).total();
        assertThat(revenue.keySet().stream().map(k -> k.dims().get(1)).collect(Collectors.toSet()))
                .contains("USD", "EUR", "GBP", "JPY", "BRL");
        assertThat(e.view(Views.SEARCH_TERMS_DAILY).total().keySet().stream().map(k -> k.dims().get(0)))
                .contains("shoes", "red", "été", "東京");
    }

    private static long fingerprint(byte[] singleObject) {
        long fp = 0;
        for (int i = 9; i >= 2; i--) {
            fp = (fp << 8) | (singleObject[i] & 0xFF);
        }
        return fp;
    }
}
