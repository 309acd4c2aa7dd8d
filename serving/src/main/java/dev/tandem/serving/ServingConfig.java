package dev.tandem.serving;

import java.time.Duration;

/**
 * Everything a serving process is configured with, in one place.
 *
 * @param root         storage root holding {@code views/CURRENT} (local path or Hadoop URI)
 * @param bootstrap    Kafka bootstrap servers for {@code tandem.realtime-views}; null serves batch only
 * @param host         interface to listen on
 * @param port         HTTP port (0 picks a free one)
 * @param adminToken   bearer token for {@code POST /api/v1/admin/reload}; null disables admin calls
 * @param batchPoll    how often CURRENT (or, with Druid, {@code tandem_batch_runs}) is checked: a publish
 *                     shows up within this time
 * @param druidUrl     null: the embedded backend (Parquet under {@code root}, in memory); otherwise the
 *                     Druid router URL the batch part of every query is asked from ({@code --backend druid})
 */
public record ServingConfig(String root, String bootstrap, String host, int port, String adminToken, Duration batchPoll,
                            String druidUrl) {

    public static final Duration DEFAULT_BATCH_POLL = Duration.ofSeconds(5);

    public ServingConfig(String root, String bootstrap, String host, int port, String adminToken, Duration batchPoll) {
        this(root, bootstrap, host, port, adminToken, batchPoll, null);
    }

    public ServingConfig {
        if (druidUrl == null && (root == null || root.isBlank())) {
            throw new IllegalArgumentException("a storage root is required (or a Druid URL with --backend druid)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535");
        }
        host = host == null ? "0.0.0.0" : host;
        batchPoll = batchPoll == null ? DEFAULT_BATCH_POLL : batchPoll;
    }
}
