package dev.tandem.core.view;

import java.io.Serializable;

/**
 * One input row of the views: a deduplicated event, or an attributed click. {@code tag} is the
 * ingest tag (for an attributed click, the later of the click's and the impression's tags);
 * {@code eventTime} picks the bucket. Fields a kind does not use are null (or 0 for the total).
 */
public record Fact(
        FactKind kind,
        long eventTime,
        long tag,
        String userId,
        String campaignId,
        String region,
        String currency,
        long totalMinor,
        String query) implements Serializable {
}
