package dev.tandem.batch.mapreduce.jobs;

import dev.tandem.batch.mapreduce.Combiner;
import dev.tandem.batch.mapreduce.Emitter;
import dev.tandem.batch.mapreduce.Job;
import dev.tandem.batch.mapreduce.KeyValue;
import dev.tandem.batch.mapreduce.Mapper;
import dev.tandem.batch.mapreduce.ParquetInputFormat;
import dev.tandem.batch.mapreduce.RecordFileFormat;
import dev.tandem.batch.mapreduce.Reducer;
import dev.tandem.batch.mapreduce.Serdes;
import dev.tandem.batch.mapreduce.TaskContext;
import dev.tandem.batch.mapreduce.jobs.ViewSerdes.JoinKey;
import dev.tandem.batch.mapreduce.jobs.ViewSerdes.ViewSlot;
import dev.tandem.core.event.EventType;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.validation.EventValidator;
import dev.tandem.core.validation.Rejection;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.Fact;
import dev.tandem.core.view.Facts;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.Views;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The batch views as a chain of three MapReduce jobs, each step core's semantics (the reference
 * evaluator's steps), none re-implementing a view:
 * <ol>
 *   <li><b>dedup</b>: master rows → validate ({@link EventValidator}) → key event_id → keep the
 *       first copy in log order (a combiner does the same map-side);</li>
 *   <li><b>attribution</b>: deduped impressions and clicks keyed by impression_id with a secondary
 *       sort (impressions first, each side in log order); each click takes the first impression
 *       whose window holds it ({@link Facts#inAttributionWindow}, {@link Facts#attributedClick});</li>
 *   <li><b>views</b>: every fact (deduped events and attributed clicks) through every view's
 *       {@link ViewDefinition#contribute}, keyed by (view, dims, bucket), partial aggregates merged
 *       by a combiner and the reducer ({@link Aggregate#merge}), written as batch-view Parquet.</li>
 * </ol>
 */
public final class ViewJobs {

    public static final String REJECTED_PREFIX = "rejected.";
    public static final String BEYOND_CUTOFF = "beyond_cutoff";
    public static final String ROWS_PREFIX = "rows.";

    private ViewJobs() {
    }

    // ---- 1. dedup -----------------------------------------------------------------------

    /** Master row → (event_id, event) for valid events below the cutoff. */
    public static final class ValidateMapper implements Mapper<GenericRecord, String, IngestedEvent> {
        private final long cutoff;
        private TaskContext ctx;

        public ValidateMapper(long cutoff) {
            this.cutoff = cutoff;
        }

        @Override
        public void setup(TaskContext c) {
            ctx = c;
        }

        @Override
        public void map(GenericRecord row, Emitter<String, IngestedEvent> out) throws IOException {
            IngestedEvent ie = MasterRows.fromRecord(row);
            Rejection r = EventValidator.validate(ie.event(), ie.ingestTime());
            if (r != null) {
                ctx.count(REJECTED_PREFIX + r.reason().name(), 1);
                return;
            }
            if (ie.tag() >= cutoff) {
                ctx.count(BEYOND_CUTOFF, 1);
                return;
            }
            out.emit(ie.event().eventId(), ie);
        }
    }

    private static IngestedEvent firstInLogOrder(Iterator<IngestedEvent> values) {
        IngestedEvent first = values.next();
        while (values.hasNext()) {
            IngestedEvent e = values.next();
            if (e.precedes(first)) {
                first = e;
            }
        }
        return first;
    }

    /**
     * Keeps the first copy of an event_id in log order; as combiner and as reducer. Duplicates
     * dropped = valid records mapped − records reduced (the combiner drops some map-side).
     */
    public static final class FirstCopy implements Combiner<String, IngestedEvent>,
            Reducer<String, IngestedEvent, String, IngestedEvent> {
        @Override
        public void combine(String id, Iterator<IngestedEvent> values, Emitter<String, IngestedEvent> out) throws IOException {
            out.emit(id, firstInLogOrder(values));
        }

        @Override
        public void reduce(String id, Iterator<IngestedEvent> values, Emitter<String, IngestedEvent> out) throws IOException {
            out.emit(id, firstInLogOrder(values));
        }
    }

    public static Job<String, IngestedEvent, String, IngestedEvent> dedup(List<Path> masterFiles, long cutoff, Path out,
                                                                          Configuration conf) {
        return Job.<String, IngestedEvent, String, IngestedEvent>builder("dedup", Serdes.UTF8_KEY, ViewSerdes.EVENT)
                .input(new ParquetInputFormat(), masterFiles, () -> new ValidateMapper(cutoff))
                .combiner(FirstCopy::new)
                .reducer(FirstCopy::new)
                .output(new RecordFileFormat<>(Serdes.UTF8_KEY, ViewSerdes.EVENT), out)
                .conf(conf)
                .build();
    }

    // ---- 2. attribution ------------------------------------------------------------------

    /** Impressions and clicks keyed for the join. */
    public static final class JoinMapper implements Mapper<KeyValue<String, IngestedEvent>, JoinKey, IngestedEvent> {
        @Override
        public void map(KeyValue<String, IngestedEvent> kv, Emitter<JoinKey, IngestedEvent> out) throws IOException {
            IngestedEvent ie = kv.value();
            EventType t = ie.event().eventType();
            if (t == EventType.AD_IMPRESSION || t == EventType.AD_CLICK) {
                out.emit(new JoinKey(ie.event().impressionId(), t == EventType.AD_IMPRESSION ? 0 : 1, ie.ingestTime(),
                        ie.partition(), ie.offset()), ie);
            }
        }
    }

    /**
     * Per impression_id: the impressions arrive first, in log order, and are kept (normally one;
     * several is a producer bug); each click then takes the first whose window holds it.
     */
    public static final class AttributeClicks implements Reducer<JoinKey, IngestedEvent, String, Fact> {
        @Override
        public void reduce(JoinKey key, Iterator<IngestedEvent> values, Emitter<String, Fact> out) throws IOException {
            List<IngestedEvent> impressions = new ArrayList<>(1);
            while (values.hasNext()) {
                IngestedEvent ie = values.next();
                if (ie.event().eventType() == EventType.AD_IMPRESSION) {
                    impressions.add(ie);
                    continue;
                }
                for (IngestedEvent imp : impressions) {
                    if (Facts.inAttributionWindow(imp.event().eventTime(), ie.event().eventTime())) {
                        out.emit(ie.event().eventId(), Facts.attributedClick(ie, imp));
                        break;
                    }
                }
            }
        }
    }

    public static Job<JoinKey, IngestedEvent, String, Fact> attribution(Path deduped, Path out, Configuration conf) {
        return Job.<JoinKey, IngestedEvent, String, Fact>builder("attribution", ViewSerdes.JOIN_KEY, ViewSerdes.EVENT)
                .input(new RecordFileFormat<>(Serdes.UTF8_KEY, ViewSerdes.EVENT), List.of(deduped), JoinMapper::new)
                .reducer(AttributeClicks::new)
                .output(new RecordFileFormat<>(Serdes.UTF8_KEY, ViewSerdes.FACT), out)
                .conf(conf)
                .build();
    }

    // ---- 3. views --------------------------------------------------------------------------

    static void contribute(Fact f, Emitter<ViewSlot, byte[]> out) throws IOException {
        for (ViewDefinition v : Views.ALL) {
            for (ViewDefinition.Contribution c : v.contributions(f)) {
                out.emit(new ViewSlot(v.name(), c.key()), c.aggregate().toBytes());
            }
        }
    }

    /** Deduped events → their facts → view contributions. */
    public static final class EventFactsMapper implements Mapper<KeyValue<String, IngestedEvent>, ViewSlot, byte[]> {
        @Override
        public void map(KeyValue<String, IngestedEvent> kv, Emitter<ViewSlot, byte[]> out) throws IOException {
            contribute(Facts.of(kv.value()), out);
        }
    }

    /** Attributed clicks → view contributions. */
    public static final class AttributedFactsMapper implements Mapper<KeyValue<String, Fact>, ViewSlot, byte[]> {
        @Override
        public void map(KeyValue<String, Fact> kv, Emitter<ViewSlot, byte[]> out) throws IOException {
            contribute(kv.value(), out);
        }
    }

    private static Aggregate mergeAll(ViewDefinition view, Iterator<byte[]> values) {
        Aggregate acc = Aggregate.fromBytes(view, values.next());
        while (values.hasNext()) {
            acc.merge(Aggregate.fromBytes(view, values.next()));
        }
        return acc;
    }

    /** Merges partial aggregates of one row map-side. */
    public static final class MergePartials implements Combiner<ViewSlot, byte[]> {
        @Override
        public void combine(ViewSlot slot, Iterator<byte[]> values, Emitter<ViewSlot, byte[]> out) throws IOException {
            out.emit(slot, mergeAll(Views.byName(slot.view()), values).toBytes());
        }
    }

    /** Merges all partial aggregates of one row into the row. */
    public static final class MergeRows implements Reducer<ViewSlot, byte[], ViewSlot, Aggregate> {
        private TaskContext ctx;

        @Override
        public void setup(TaskContext c) {
            ctx = c;
        }

        @Override
        public void reduce(ViewSlot slot, Iterator<byte[]> values, Emitter<ViewSlot, Aggregate> out) throws IOException {
            out.emit(slot, mergeAll(Views.byName(slot.view()), values));
            ctx.count(ROWS_PREFIX + slot.view(), 1);
        }
    }

    public static Job<ViewSlot, byte[], ViewSlot, Aggregate> views(Path deduped, Path attributed, Path runDir,
                                                                   Configuration conf) {
        return Job.<ViewSlot, byte[], ViewSlot, Aggregate>builder("views", ViewSerdes.VIEW_SLOT, Serdes.BYTES)
                .input(new RecordFileFormat<>(Serdes.UTF8_KEY, ViewSerdes.EVENT), List.of(deduped), EventFactsMapper::new)
                .input(new RecordFileFormat<>(Serdes.UTF8_KEY, ViewSerdes.FACT), List.of(attributed), AttributedFactsMapper::new)
                .combiner(MergePartials::new)
                .reducer(MergeRows::new)
                .output(new ViewParquetOutput(), runDir)
                .conf(conf)
                .build();
    }
}
