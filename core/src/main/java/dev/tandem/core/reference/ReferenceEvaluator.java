package dev.tandem.core.reference;

import dev.tandem.core.event.EventCodec;
import dev.tandem.core.event.EventType;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.event.LogRecord;
import dev.tandem.core.validation.Checked;
import dev.tandem.core.validation.EventValidator;
import dev.tandem.core.validation.RejectReason;
import dev.tandem.core.validation.Rejection;
import dev.tandem.core.view.Fact;
import dev.tandem.core.view.Facts;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewTable;
import dev.tandem.core.view.Views;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ground truth of every test: plain Java, everything in memory, no cleverness.
 *
 * <ol>
 *   <li>Validate each record against its ingest time; bad ones are counted by reason and skipped.</li>
 *   <li>Sort by log order (ingest time, partition, offset) and keep the first copy of each event_id.</li>
 *   <li>Every kept event is a fact under its own tag.</li>
 *   <li>Each kept click is joined with the impressions of its impression_id, in log order; the
 *       first whose window [impression time, +1 h] holds the click's time gives an attributed
 *       click (tag = the later of the two tags). Several impressions sharing an impression_id is
 *       a producer bug; the first in log order wins so the answer is still defined.</li>
 *   <li>Every view folds every fact through its own definition, keyed by (key, tag).</li>
 * </ol>
 */
public final class ReferenceEvaluator {

    private ReferenceEvaluator() {
    }

    /** Evaluates raw log records: decoding failures count as rejections like validation failures. */
    public static Evaluation evaluateLog(Collection<LogRecord> log) {
        List<IngestedEvent> decoded = new ArrayList<>(log.size());
        Map<RejectReason, Long> undecodable = new EnumMap<>(RejectReason.class);
        for (LogRecord r : log) {
            Checked c = EventCodec.get().check(r.value(), r.ingestTime());
            if (c.isValid()) {
                decoded.add(new IngestedEvent(c.event(), r.ingestTime(), r.partition(), r.offset()));
            } else {
                undecodable.merge(c.rejection().reason(), 1L, Long::sum);
            }
        }
        Evaluation e = evaluate(decoded);
        Map<RejectReason, Long> rejected = new EnumMap<>(RejectReason.class);
        rejected.putAll(e.rejected());
        undecodable.forEach((k, v) -> rejected.merge(k, v, Long::sum));
        return new Evaluation(e.views(), log.size(), e.valid(), e.duplicates(), e.attributedClicks(), rejected);
    }

    /** Evaluates decoded events with their log positions. */
    public static Evaluation evaluate(Collection<IngestedEvent> log) {
        // 1. validate
        Map<RejectReason, Long> rejected = new EnumMap<>(RejectReason.class);
        List<IngestedEvent> valid = new ArrayList<>(log.size());
        for (IngestedEvent ie : log) {
            Rejection r = EventValidator.validate(ie.event(), ie.ingestTime());
            if (r == null) {
                valid.add(ie);
            } else {
                rejected.merge(r.reason(), 1L, Long::sum);
            }
        }

        // 2. dedup: first copy in log order wins
        valid.sort(IngestedEvent.LOG_ORDER);
        Map<String, IngestedEvent> firstById = new LinkedHashMap<>();
        for (IngestedEvent ie : valid) {
            firstById.putIfAbsent(ie.event().eventId(), ie);
        }
        Collection<IngestedEvent> unique = firstById.values();
        long duplicates = valid.size() - unique.size();

        // 3. facts of the events themselves
        List<Fact> facts = new ArrayList<>(unique.size());
        Map<String, List<IngestedEvent>> impressionsById = new HashMap<>();
        for (IngestedEvent ie : unique) {
            facts.add(Facts.of(ie));
            if (ie.event().eventType() == EventType.AD_IMPRESSION) {
                impressionsById.computeIfAbsent(ie.event().impressionId(), k -> new ArrayList<>()).add(ie);
            }
        }

        // 4. attribution join
        long attributed = 0;
        for (IngestedEvent click : unique) {
            if (click.event().eventType() != EventType.AD_CLICK) {
                continue;
            }
            for (IngestedEvent imp : impressionsById.getOrDefault(click.event().impressionId(), List.of())) {
                if (Facts.inAttributionWindow(imp.event().eventTime(), click.event().eventTime())) {
                    facts.add(Facts.attributedClick(click, imp));
                    attributed++;
                    break;
                }
            }
        }

        // 5. views
        Map<String, ViewTable> tables = new LinkedHashMap<>();
        for (ViewDefinition view : Views.ALL) {
            ViewTable table = new ViewTable(view);
            for (Fact f : facts) {
                view.contribute(f, (key, partial) -> table.add(key, f.tag(), partial));
            }
            tables.put(view.name(), table);
        }
        return new Evaluation(tables, log.size(), unique.size(), duplicates, attributed, rejected);
    }
}
