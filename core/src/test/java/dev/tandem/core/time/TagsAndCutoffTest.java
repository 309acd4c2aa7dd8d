package dev.tandem.core.time;

import org.junit.jupiter.api.Test;

import java.util.TreeSet;

import static dev.tandem.core.testkit.TestEvents.t;
import static org.assertj.core.api.Assertions.assertThat;

class TagsAndCutoffTest {

    @Test
    void tagIsIngestTimeTruncatedToTheHour() {
        assertThat(IngestTags.tagOf(t("2026-11-20T10:59:59.999Z"))).isEqualTo(t("2026-11-20T10:00:00Z"));
        assertThat(IngestTags.tagOf(t("2026-11-20T11:00:00Z"))).isEqualTo(t("2026-11-20T11:00:00Z"));
        assertThat(IngestTags.derivedTag(t("2026-11-20T10:00:00Z"), t("2026-11-20T12:00:00Z"))).isEqualTo(t("2026-11-20T12:00:00Z"));
        assertThat(IngestTags.hourLabel(t("2026-11-20T07:00:00Z"))).isEqualTo("2026-11-20T07");
        assertThat(IngestTags.parseHourLabel("2026-11-20T07")).isEqualTo(t("2026-11-20T07:00:00Z"));
    }

    @Test
    void cutoffIsTheFirstIncompleteHourAfterTheOldestCompleteOne() {
        TreeSet<Long> hours = new TreeSet<>();
        assertThat(BatchCutoff.of(hours)).isEmpty();
        hours.add(t("2026-11-20T08:00:00Z"));
        hours.add(t("2026-11-20T09:00:00Z"));
        hours.add(t("2026-11-20T11:00:00Z")); // 10:00 is missing: nothing after it may be batched
        assertThat(BatchCutoff.of(hours)).contains(t("2026-11-20T10:00:00Z"));
        hours.add(t("2026-11-20T10:00:00Z"));
        assertThat(BatchCutoff.of(hours)).contains(t("2026-11-20T12:00:00Z"));
        assertThat(BatchCutoff.inBatch(t("2026-11-20T11:00:00Z"), t("2026-11-20T12:00:00Z"))).isTrue();
        assertThat(BatchCutoff.inBatch(t("2026-11-20T12:00:00Z"), t("2026-11-20T12:00:00Z"))).isFalse();
    }
}
