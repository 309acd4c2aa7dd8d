package dev.tandem.core.merge;

import dev.tandem.core.reference.ReferenceEvaluator;
import dev.tandem.core.testkit.RandomLogs;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewKey;
import dev.tandem.core.view.ViewTable;
import dev.tandem.core.view.Views;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import static dev.tandem.core.testkit.TestEvents.t;
import static dev.tandem.core.testkit.ViewAssertions.assertSameRows;
import static org.assertj.core.api.Assertions.assertThat;

class LayerMergeTest {

    @Test
    void batchPlusRealtimeAtOrAboveCutoffEqualsTheTotalForEveryCutoff() {
        long start = t("2026-11-20T00:00:00Z");
        ViewTable any = null;
        for (long seed = 1; seed <= 5; seed++) {
            Map<String, ViewTable> tables = ReferenceEvaluator.evaluate(RandomLogs.generate(seed, 600, start)).views();
            for (ViewDefinition view : Views.ALL) {
                ViewTable table = tables.get(view.name());
                any = table;
                for (int h = 0; h <= 48; h += 3) {
                    long cutoff = start + h * 3_600_000L;
                    SortedMap<ViewKey, Aggregate> batch = table.batch(cutoff);
                    SortedMap<ViewKey, SortedMap<Long, Aggregate>> realtime = table.byTag(); // speed holds every tag
                    Map<ViewKey, Aggregate> served = new TreeMap<>();
                    for (ViewKey k : table.total().keySet()) {
                        LayerMerge.merge(view, batch.get(k), cutoff, realtime.getOrDefault(k, new TreeMap<>()))
                                .ifPresent(v -> served.put(k, v));
                    }
                    assertSameRows(view.name() + " seed " + seed + " cutoff +" + h + "h", table.total(), served);
                }
            }
        }
        assertThat(any.total()).isNotEmpty();
    }

    @Test
    void noBatchYetServesRealtimeOnly() {
        Aggregate rt = Views.SEARCH_TERMS_DAILY.zero().setLong("occurrences", 4);
        assertThat(LayerMerge.merge(Views.SEARCH_TERMS_DAILY, null, Long.MIN_VALUE, Map.of(0L, rt)))
                .hasValueSatisfying(a -> assertThat(a.longValue("occurrences")).isEqualTo(4));
        assertThat(LayerMerge.merge(Views.SEARCH_TERMS_DAILY, null, Long.MIN_VALUE, Map.of())).isEmpty();
    }

    @Test
    void realtimeTagsBelowTheCutoffAreIgnoredAndInputsAreNotChanged() {
        Aggregate batch = Views.SEARCH_TERMS_DAILY.zero().setLong("occurrences", 10);
        Aggregate old = Views.SEARCH_TERMS_DAILY.zero().setLong("occurrences", 3);
        Aggregate fresh = Views.SEARCH_TERMS_DAILY.zero().setLong("occurrences", 2);
        Aggregate merged = LayerMerge.merge(Views.SEARCH_TERMS_DAILY, batch, 100, Map.of(99L, old, 100L, fresh)).orElseThrow();
        assertThat(merged.longValue("occurrences")).isEqualTo(12);
        assertThat(batch.longValue("occurrences")).isEqualTo(10);
    }

    @Test
    void coverageGapWhenTheCutoffIsBehindTheSpeedLayersOldestTag() {
        assertThat(LayerMerge.coverageGap(10, 12)).hasValueSatisfying(g -> assertThat(g).containsExactly(10, 12));
        assertThat(LayerMerge.coverageGap(12, 12)).isEmpty();
        assertThat(LayerMerge.coverageGap(14, 12)).isEmpty();
    }
}
