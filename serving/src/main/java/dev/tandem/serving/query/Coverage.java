package dev.tandem.serving.query;

import dev.tandem.core.merge.LayerMerge;
import dev.tandem.serving.batch.BatchSnapshot;
import dev.tandem.serving.realtime.RealtimeSnapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the served answers cover, from one batch and one realtime snapshot.
 *
 * <ul>
 *   <li>{@code complete}: batch tags &lt; H plus every realtime tag ≥ H, and the speed layer's
 *       oldest tag is at or below H — no ingest hour is missing;</li>
 *   <li>{@code gap}: H is below the speed layer's oldest tag, so ingest hours [H, oldest) are in
 *       neither layer (the batch is too old for the speed retention) — answers are low;</li>
 *   <li>{@code batch-only}: a batch version, and the speed layer holds nothing (not running, or
 *       nothing ingested since H);</li>
 *   <li>{@code realtime-only}: nothing published yet; only what the speed layer holds;</li>
 *   <li>{@code empty}: neither.</li>
 * </ul>
 */
public record Coverage(String state, Long gapFrom, Long gapTo, Long batchCutoff, Long realtimeOldestTag,
                       Long realtimeNewestTag) {

    public static Coverage of(BatchSnapshot batch, RealtimeSnapshot realtime) {
        Long cutoff = batch.exists() ? batch.cutoff() : null;
        Long oldest = realtime.oldestTag();
        Long newest = realtime.newestTag();
        if (cutoff == null) {
            return new Coverage(oldest == null ? "empty" : "realtime-only", null, null, null, oldest, newest);
        }
        if (oldest == null) {
            return new Coverage("batch-only", null, null, cutoff, null, null);
        }
        Optional<long[]> gap = LayerMerge.coverageGap(cutoff, oldest);
        return gap.map(g -> new Coverage("gap", g[0], g[1], cutoff, oldest, newest))
                .orElseGet(() -> new Coverage("complete", null, null, cutoff, oldest, newest));
    }

    /** The freshest ingest hour any layer has data for (start of that hour), or null. */
    public Long freshestTag() {
        if (realtimeNewestTag != null) {
            return realtimeNewestTag;
        }
        return batchCutoff == null ? null : batchCutoff - 3_600_000L;
    }

    /** The warnings an answer computed from these snapshots carries. */
    public List<String> warnings(boolean realtimeReady) {
        List<String> w = new ArrayList<>();
        if ("gap".equals(state)) {
            w.add("coverage gap: ingest hours [" + Iso.format(gapFrom) + ", " + Iso.format(gapTo)
                    + ") are in neither the batch version (cutoff " + Iso.format(batchCutoff)
                    + ") nor the speed layer (oldest tag " + Iso.format(gapTo)
                    + "); values are low until the next batch run");
        } else if ("realtime-only".equals(state)) {
            w.add("no batch version is published yet: values hold only the speed layer's ingest hours from "
                    + Iso.format(realtimeOldestTag));
        } else if ("empty".equals(state)) {
            w.add("no data yet: no batch version is published and the speed layer holds nothing");
        }
        if (!realtimeReady) {
            w.add("the realtime store is still replaying the changelog: recent hours may be incomplete");
        }
        return w;
    }
}
