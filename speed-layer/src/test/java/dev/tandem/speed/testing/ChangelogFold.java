package dev.tandem.speed.testing;

import dev.tandem.core.reference.Evaluation;
import dev.tandem.core.testkit.ViewAssertions;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.RealtimeCodec;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewKey;
import dev.tandem.core.view.Views;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Folds a changelog the way a reader of the compacted topic sees it: the latest value per key,
 * tombstones delete. Then compares it with the reference evaluator's realtime part for a cutoff.
 */
public final class ChangelogFold {

    private final Map<String, byte[]> latest = new HashMap<>();

    public void apply(byte[] key, byte[] value) {
        String k = new String(key, StandardCharsets.UTF_8);
        if (value == null) {
            latest.remove(k);
        } else {
            latest.put(k, value);
        }
    }

    public int size() {
        return latest.size();
    }

    /** view → (key with the tag appended as a last dimension → aggregate), for tags ≥ cutoff. */
    public Map<ViewKey, Aggregate> rows(ViewDefinition view, long cutoff) {
        Map<ViewKey, Aggregate> rows = new TreeMap<>();
        latest.forEach((k, v) -> {
            RealtimeCodec.RealtimeKey rk = RealtimeCodec.decodeKey(k.getBytes(StandardCharsets.UTF_8));
            if (rk.view().equals(view.name()) && rk.tag() >= cutoff) {
                rows.put(withTag(rk.key(), rk.tag()), RealtimeCodec.decodeValue(view, v));
            }
        });
        return rows;
    }

    public static Map<ViewKey, Aggregate> expected(Evaluation reference, ViewDefinition view, long cutoff) {
        Map<ViewKey, Aggregate> rows = new TreeMap<>();
        for (Map.Entry<ViewKey, SortedMap<Long, Aggregate>> e : reference.view(view).realtime(cutoff).entrySet()) {
            e.getValue().forEach((tag, a) -> rows.put(withTag(e.getKey(), tag), a));
        }
        return rows;
    }

    /** Fails with a readable diff unless every view agrees with the reference for tags ≥ cutoff. */
    public void assertMatches(Evaluation reference, long cutoff) {
        for (ViewDefinition v : Views.ALL) {
            ViewAssertions.assertSameRows(v.name() + " tags >= " + cutoff, expected(reference, v, cutoff), rows(v, cutoff));
        }
    }

    /** Whether every view agrees (for polling until the committed output catches up). */
    public boolean matches(Evaluation reference, long cutoff) {
        try {
            assertMatches(reference, cutoff);
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    private static ViewKey withTag(ViewKey k, long tag) {
        List<String> dims = new ArrayList<>(k.dims());
        dims.add("tag=" + tag);
        return new ViewKey(dims, k.bucketStart());
    }
}
