package dev.tandem.batch.mapreduce.jobs;

import dev.tandem.batch.mapreduce.Combiner;
import dev.tandem.batch.mapreduce.Emitter;
import dev.tandem.batch.mapreduce.Job;
import dev.tandem.batch.mapreduce.Mapper;
import dev.tandem.batch.mapreduce.ParquetInputFormat;
import dev.tandem.batch.mapreduce.Reducer;
import dev.tandem.batch.mapreduce.Serdes;
import dev.tandem.batch.mapreduce.TextInputFormat;
import dev.tandem.batch.mapreduce.TextOutputFormat;
import dev.tandem.core.event.EventSchemas;
import dev.tandem.core.view.Terms;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.Iterator;
import java.util.List;

/**
 * The seed's example: word count, over text files or over the {@code query} field of the search
 * events of the master dataset. Terms are core's {@link Terms} (lower-cased runs of letters and
 * digits), the same tokenizer {@code search_terms_daily} uses. Output: {@code term<TAB>count}
 * lines.
 */
public final class WordCount {

    /** The columns the query word count reads from master Parquet (a projection of MASTER_EVENT). */
    static final Schema QUERY_PROJECTION = SchemaBuilder.record(EventSchemas.MASTER_EVENT.getName())
            .namespace(EventSchemas.MASTER_EVENT.getNamespace()).fields()
            .requiredString("event_type")
            .optionalString("query")
            .endRecord();

    private WordCount() {
    }

    /** Emits (term, 1) for every term of a line. */
    public static final class LineMapper implements Mapper<String, String, Long> {
        @Override
        public void map(String line, Emitter<String, Long> out) throws IOException {
            for (String t : Terms.tokenize(line)) {
                out.emit(t, 1L);
            }
        }
    }

    /** Emits (term, 1) for every term of a search event's query. */
    public static final class QueryMapper implements Mapper<GenericRecord, String, Long> {
        @Override
        public void map(GenericRecord r, Emitter<String, Long> out) throws IOException {
            Object q = r.get("query");
            if (q != null && "SEARCH".equals(String.valueOf(r.get("event_type")))) {
                for (String t : Terms.tokenize(q.toString())) {
                    out.emit(t, 1L);
                }
            }
        }
    }

    /** Sums counts; both the combiner and the reducer. */
    public static final class Sum implements Combiner<String, Long>, Reducer<String, Long, String, Long> {
        private static long sum(Iterator<Long> values) {
            long s = 0;
            while (values.hasNext()) {
                s += values.next();
            }
            return s;
        }

        @Override
        public void combine(String key, Iterator<Long> values, Emitter<String, Long> out) throws IOException {
            out.emit(key, sum(values));
        }

        @Override
        public void reduce(String key, Iterator<Long> values, Emitter<String, Long> out) throws IOException {
            out.emit(key, sum(values));
        }
    }

    public static Job.Builder<String, Long, String, Long> overText(List<Path> files, long splitBytes, Path output) {
        return Job.<String, Long, String, Long>builder("wordcount", Serdes.UTF8_KEY, Serdes.VARLONG)
                .input(new TextInputFormat(splitBytes), files, LineMapper::new)
                .combiner(Sum::new)
                .reducer(Sum::new)
                .output(new TextOutputFormat<>(), output);
    }

    public static Job.Builder<String, Long, String, Long> overQueries(List<Path> masterFiles, Path output,
                                                                     Configuration conf) {
        return Job.<String, Long, String, Long>builder("wordcount-queries", Serdes.UTF8_KEY, Serdes.VARLONG)
                .input(new ParquetInputFormat(QUERY_PROJECTION), masterFiles, QueryMapper::new)
                .combiner(Sum::new)
                .reducer(Sum::new)
                .output(new TextOutputFormat<>(), output)
                .conf(conf);
    }
}
