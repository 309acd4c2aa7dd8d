package dev.tandem.serving.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.core.event.EventCodec;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.reference.Evaluation;
import dev.tandem.core.reference.ReferenceEvaluator;
import dev.tandem.core.storage.MasterRecords;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.time.IngestTags;
import dev.tandem.core.topics.Topics;
import dev.tandem.core.validation.Checked;
import dev.tandem.core.view.Aggregate;
import dev.tandem.core.view.Hll;
import dev.tandem.core.view.MetricDefinition;
import dev.tandem.core.view.MetricKind;
import dev.tandem.core.view.ViewDefinition;
import dev.tandem.core.view.ViewKey;
import dev.tandem.core.view.Views;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code tandem verify}: recomputes every view from first principles — the master dataset plus the
 * part of the log not archived yet — with core's reference evaluator, asks the API for every row,
 * and lists the differences. Operators run it after incidents; the end-to-end tests run it after
 * every step. Everything is held in memory: meant for the volumes of one machine.
 */
public final class Verifier {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Rows of every view: view → "[dims…, bucket_start]" → metric → value (distinct counts as estimates). */
    public static final class Rows {
        final Map<String, Map<String, Map<String, Long>>> views = new TreeMap<>();

        Map<String, Map<String, Long>> view(String name) {
            return views.computeIfAbsent(name, k -> new TreeMap<>());
        }

        public int size() {
            return views.values().stream().mapToInt(Map::size).sum();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Rows r && r.views.equals(views);
        }

        @Override
        public int hashCode() {
            return views.hashCode();
        }
    }

    /** One row that differs; a null side means the row is missing there. */
    public record Difference(String view, String key, Map<String, Long> expected, Map<String, Long> served) {
        @Override
        public String toString() {
            return view + " " + key + ": expected " + expected + ", served " + served;
        }
    }

    /** The outcome of one verification. */
    public record Report(long records, int expectedRows, int servedRows, List<Difference> differences) {
        public boolean agrees() {
            return differences.isEmpty();
        }

        public String render() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format("verified %,d records: %,d expected rows, %,d served rows, %s%n", records,
                    expectedRows, servedRows, agrees() ? "all equal" : differences.size() + " differ"));
            differences.stream().limit(50).forEach(d -> sb.append("  ").append(d).append('\n'));
            if (differences.size() > 50) {
                sb.append("  … ").append(differences.size() - 50).append(" more\n");
            }
            return sb.toString();
        }
    }

    private Verifier() {
    }

    /** The rows the reference evaluator computes (rows whose every metric is zero are left out). */
    public static Rows expected(Evaluation e) {
        Rows rows = new Rows();
        for (ViewDefinition v : Views.ALL) {
            Map<String, Map<String, Long>> out = rows.view(v.name());
            for (Map.Entry<ViewKey, Aggregate> row : e.view(v).total().entrySet()) {
                if (row.getValue().isZero()) {
                    continue;
                }
                Map<String, Long> metrics = new TreeMap<>();
                for (MetricDefinition m : v.metrics()) {
                    metrics.put(m.name(), m.kind() == MetricKind.DISTINCT
                            ? Hll.estimateCount(row.getValue().sketch(m.name())) : row.getValue().longValue(m.name()));
                }
                out.put(key(row.getKey().dims(), row.getKey().bucketStart()), metrics);
            }
        }
        return rows;
    }

    /** Every row the API serves in [from, to), per view at its own granularity and every dimension. */
    public static Rows served(HttpClient http, String api, long from, long to) throws IOException, InterruptedException {
        Rows rows = new Rows();
        String base = api.endsWith("/") ? api.substring(0, api.length() - 1) : api;
        for (ViewDefinition v : Views.ALL) {
            String url = base + "/api/v1/views/" + v.name() + "/series?from=" + Instant.ofEpochMilli(from)
                    + "&to=" + Instant.ofEpochMilli(to) + "&granularity=" + v.granularity().name().toLowerCase()
                    + "&groupBy=" + String.join(",", v.dimensionNames());
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200) {
                throw new IOException("GET " + url + " answered " + res.statusCode() + ": " + res.body());
            }
            Map<String, Map<String, Long>> out = rows.view(v.name());
            for (JsonNode row : JSON.readTree(res.body()).get("rows")) {
                List<String> dims = new ArrayList<>();
                for (String d : v.dimensionNames()) {
                    dims.add(row.get(d).asText());
                }
                Map<String, Long> metrics = new TreeMap<>();
                boolean zero = true;
                for (MetricDefinition m : v.metrics()) {
                    long value = row.get(m.name()).asLong();
                    metrics.put(m.name(), value);
                    zero &= value == 0;
                }
                if (!zero) {
                    out.put(key(dims, Instant.parse(row.get("bucket_start").asText()).toEpochMilli()), metrics);
                }
            }
        }
        return rows;
    }

    public static List<Difference> compare(Rows expected, Rows served) {
        List<Difference> diffs = new ArrayList<>();
        TreeSet<String> views = new TreeSet<>(expected.views.keySet());
        views.addAll(served.views.keySet());
        for (String v : views) {
            Map<String, Map<String, Long>> e = expected.views.getOrDefault(v, Map.of());
            Map<String, Map<String, Long>> s = served.views.getOrDefault(v, Map.of());
            TreeSet<String> keys = new TreeSet<>(e.keySet());
            keys.addAll(s.keySet());
            for (String k : keys) {
                if (!java.util.Objects.equals(e.get(k), s.get(k))) {
                    diffs.add(new Difference(v, k, e.get(k), s.get(k)));
                }
            }
        }
        return diffs;
    }

    /** The query range covering every expected bucket (whole days, a week of margin, at most 366 days). */
    public static long[] range(Rows expected, long fallback) {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (Map<String, Map<String, Long>> rows : expected.views.values()) {
            for (String k : rows.keySet()) {
                long t = Instant.parse(k.substring(k.lastIndexOf(", ") + 2, k.length() - 1)).toEpochMilli();
                min = Math.min(min, t);
                max = Math.max(max, t);
            }
        }
        if (min == Long.MAX_VALUE) {
            min = max = fallback;
        }
        long from = Math.floorDiv(min, IngestTags.DAY_MS) * IngestTags.DAY_MS - 7 * IngestTags.DAY_MS;
        long to = Math.min(Math.floorDiv(max, IngestTags.DAY_MS) * IngestTags.DAY_MS + 8 * IngestTags.DAY_MS,
                from + 366 * IngestTags.DAY_MS);
        return new long[] {from, to};
    }

    /**
     * The events of record: every master row of every complete hour, plus the valid records of
     * {@code tandem.events} (read committed) whose ingest hour is not complete in the master dataset.
     */
    public static List<IngestedEvent> eventsOfRecord(StorageLayout layout, String bootstrap) throws IOException {
        Configuration conf = new Configuration();
        SortedSet<Long> complete = layout.completeHours();
        List<IngestedEvent> out = new ArrayList<>();
        for (long h : complete) {
            for (Path f : layout.masterHourFiles(h)) {
                try (ParquetReader<GenericRecord> r = AvroParquetReader.<GenericRecord>builder(HadoopInputFile.fromPath(f, conf))
                        .withConf(conf).build()) {
                    GenericRecord g;
                    while ((g = r.read()) != null) {
                        out.add(MasterRecords.fromRow(g));
                    }
                }
            }
        }
        if (bootstrap != null) {
            for (ConsumerRecord<byte[], byte[]> rec : readLog(bootstrap)) {
                if (complete.contains(IngestTags.tagOf(rec.timestamp()))) {
                    continue;
                }
                Checked c = EventCodec.get().check(rec.value(), rec.timestamp());
                if (c.isValid()) {
                    out.add(new IngestedEvent(c.event(), rec.timestamp(), rec.partition(), rec.offset()));
                }
            }
        }
        return out;
    }

    /** Recomputes, queries the API and compares. */
    public static Report verify(StorageLayout layout, String bootstrap, String api) throws IOException, InterruptedException {
        List<IngestedEvent> events = eventsOfRecord(layout, bootstrap);
        Rows expected = expected(ReferenceEvaluator.evaluate(events));
        long[] range = range(expected, System.currentTimeMillis());
        Rows served = served(HttpClient.newHttpClient(), api, range[0], range[1]);
        return new Report(events.size(), expected.size(), served.size(), compare(expected, served));
    }

    static String key(List<String> dims, long bucketStart) {
        List<String> k = new ArrayList<>(dims);
        k.add(Instant.ofEpochMilli(bucketStart).toString());
        return k.toString();
    }

    private static List<ConsumerRecord<byte[], byte[]>> readLog(String bootstrap) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo p : c.partitionsFor(Topics.EVENTS, Duration.ofSeconds(30))) {
                parts.add(new TopicPartition(Topics.EVENTS, p.partition()));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
