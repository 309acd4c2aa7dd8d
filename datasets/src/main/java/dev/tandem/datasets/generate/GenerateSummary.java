package dev.tandem.datasets.generate;

import dev.tandem.core.time.IngestTags;
import dev.tandem.core.validation.RejectReason;

import java.util.Locale;
import java.util.Map;

/** What {@code generate} wrote: the printed summary and the accounting of the run. */
public record GenerateSummary(long firstHour, long endHour, long records, long valid, long quarantined,
                              long duplicates, long late, Map<RejectReason, Long> badByReason, long millis) {

    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "generated ingest hours %s .. %s (%d hours)%n",
                IngestTags.hourLabel(firstHour), IngestTags.hourLabel(endHour - IngestTags.HOUR_MS),
                (endHour - firstHour) / IngestTags.HOUR_MS));
        sb.append(String.format(Locale.ROOT, "  events      %,d records in the log%n", records));
        sb.append(String.format(Locale.ROOT, "  valid       %,d (master dataset, duplicates included)%n", valid));
        sb.append(String.format(Locale.ROOT, "  bad         %,d (quarantine)", quarantined));
        if (!badByReason.isEmpty()) {
            sb.append(" by reason:");
            badByReason.forEach((r, n) -> sb.append(' ').append(r.code()).append('=').append(n));
        }
        sb.append(String.format(Locale.ROOT, "%n  duplicates  %,d (producer retries)%n", duplicates));
        sb.append(String.format(Locale.ROOT, "  late        %,d (event time minutes to 3 days before ingest)%n", late));
        double secs = millis / 1000.0;
        sb.append(String.format(Locale.ROOT, "  wrote in    %.1f s (%,.0f records/s)%n", secs, records / Math.max(secs, 0.001)));
        return sb.toString();
    }
}
