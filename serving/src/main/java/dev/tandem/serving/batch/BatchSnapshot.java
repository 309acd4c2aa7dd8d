package dev.tandem.serving.batch;

import dev.tandem.core.storage.RunManifest;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.Views;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One loaded batch version: its run id, cutoff H and an index per view. Immutable, so a query
 * that took a reference to it keeps seeing the same version while a newer one is swapped in.
 *
 * @param runId    the published run, or null when nothing is published yet
 * @param manifest the run's manifest, or null when nothing is published yet
 * @param cutoff   H; {@link Long#MIN_VALUE} when there is no batch (every realtime tag counts)
 * @param loadedAt when this process finished loading it (epoch millis)
 */
public record BatchSnapshot(String runId, RunManifest manifest, long cutoff, long loadedAt,
                            Map<String, BatchView> views) {

    public BatchSnapshot {
        views = Map.copyOf(views);
    }

    /** The state before the first publish: no rows, cutoff at minus infinity. */
    public static BatchSnapshot none(long now) {
        Map<String, BatchView> empty = new HashMap<>();
        for (ViewDefinition v : Views.ALL) {
            empty.put(v.name(), ViewIndex.empty(v));
        }
        return new BatchSnapshot(null, null, Long.MIN_VALUE, now, empty);
    }

    public boolean exists() {
        return runId != null;
    }

    public Optional<Long> cutoffIfAny() {
        return exists() ? Optional.of(cutoff) : Optional.empty();
    }

    public BatchView view(ViewDefinition v) {
        BatchView idx = views.get(v.name());
        return idx != null ? idx : ViewIndex.empty(v);
    }
}
