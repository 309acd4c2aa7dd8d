package dev.tandem.core.reference;

import dev.tandem.core.validation.RejectReason;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewTable;

import java.util.Map;

/**
 * What the reference evaluator computed: each view's rows by tag, and the accounting of the input
 * (records seen, valid, rejected by reason, duplicates dropped).
 */
public record Evaluation(Map<String, ViewTable> views, long records, long valid, long duplicates,
                         long attributedClicks, Map<RejectReason, Long> rejected) {

    public ViewTable view(ViewDefinition v) {
        return view(v.name());
    }

    public ViewTable view(String name) {
        ViewTable t = views.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no view " + name);
        }
        return t;
    }

    public long rejectedTotal() {
        return rejected.values().stream().mapToLong(Long::longValue).sum();
    }
}
