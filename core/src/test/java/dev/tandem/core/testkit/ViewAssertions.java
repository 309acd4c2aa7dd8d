package dev.tandem.core.testkit;

import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.ViewKey;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Compares view rows and fails with a readable list of the differing keys. */
public final class ViewAssertions {

    private ViewAssertions() {
    }

    public static void assertSameRows(String what, Map<ViewKey, Aggregate> expected, Map<ViewKey, Aggregate> actual) {
        List<String> diffs = new ArrayList<>();
        TreeSet<ViewKey> keys = new TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        for (ViewKey k : keys) {
            Aggregate e = expected.get(k);
            Aggregate a = actual.get(k);
            if (e == null || a == null || !e.equals(a)) {
                diffs.add(k + ": expected " + e + " but was " + a);
            }
        }
        if (!diffs.isEmpty()) {
            throw new AssertionError(what + ": " + diffs.size() + " of " + keys.size() + " rows differ, first ones:\n  "
                    + String.join("\n  ", diffs.subList(0, Math.min(20, diffs.size()))));
        }
    }
}
