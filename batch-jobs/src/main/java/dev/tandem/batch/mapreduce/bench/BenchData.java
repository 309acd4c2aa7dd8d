package dev.tandem.batch.mapreduce.bench;

import dev.tandem.batch.mapreduce.jobs.MasterRows;
import dev.tandem.core.event.Event;
import dev.tandem.core.event.EventSchemas;
import dev.tandem.core.event.EventType;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.time.IngestTags;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Deterministic benchmark inputs (seeded): a master dataset of {@code n} events spread over
 * ingest hours (impressions, clicks on earlier impressions, orders, searches; ~0.5% producer
 * retries), and a text corpus of Zipf-distributed words.
 */
public final class BenchData {

    static final long START = 1_790_000_000_000L / IngestTags.HOUR_MS * IngestTags.HOUR_MS;
    static final int EVENTS_PER_HOUR = 100_000;
    private static final String[] QUERIES = {"red shoes", "blue jeans 32", "été robe", "running shoes men",
            "usb c cable", "red dress", "garden chair", "phone case", "winter jacket", "coffee beans"};

    private BenchData() {
    }

    /** Writes {@code n} events as master Parquet by ingest hour, every hour complete. */
    public static void writeMaster(StorageLayout layout, long seed, int n) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        long msPerEvent = IngestTags.HOUR_MS / EVENTS_PER_HOUR;
        ParquetWriter<GenericRecord> w = null;
        long hour = -1;
        long offset = 0;
        int impressions = 0;
        try {
            for (int i = 0; i < n; i++) {
                long ingest = START + i * msPerEvent;
                long tag = IngestTags.tagOf(ingest);
                if (tag != hour) {
                    if (w != null) {
                        w.close();
                        layout.markHourComplete(hour);
                    }
                    hour = tag;
                    Path dir = Path.of(layout.masterHourDir(hour).toUri());
                    Files.createDirectories(dir);
                    w = AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(dir.resolve("part-00000.parquet")))
                            .withSchema(EventSchemas.MASTER_EVENT).withDataModel(GenericData.get())
                            .withCompressionCodec(CompressionCodecName.SNAPPY).withRowGroupSize(16 << 20).build();
                }
                long eventTime = ingest - r.nextLong(0, 5_000);
                String user = "u" + r.nextInt(50_000);
                int kind = r.nextInt(100);
                Event e;
                if (kind < 50 || impressions == 0) {
                    int imp = impressions++;
                    e = Event.builder().eventId("imp-" + imp).eventType(EventType.AD_IMPRESSION).eventTime(eventTime)
                            .userId(user).region(pick(r, "eu", "us", "apac", "latam")).campaignId("c" + skewed(r, 500))
                            .adId("a" + r.nextInt(5_000)).impressionId("imp-" + imp).build();
                } else if (kind < 60) {
                    int imp = Math.max(0, impressions - 1 - r.nextInt(Math.min(impressions, 20_000)));
                    e = Event.builder().eventId("click-" + i).eventType(EventType.AD_CLICK).eventTime(eventTime)
                            .userId(user).campaignId("c" + skewed(r, 500)).adId("a" + r.nextInt(5_000))
                            .impressionId("imp-" + imp).build();
                } else if (kind < 70) {
                    e = Event.builder().eventId("order-" + i).eventType(EventType.ORDER_CREATED).eventTime(eventTime)
                            .userId(user).region(pick(r, "eu", "us", "apac", "latam")).orderId("o" + i)
                            .totalMinor(r.nextLong(100, 500_000)).currency(pick(r, "USD", "EUR", "GBP")).build();
                } else {
                    e = Event.builder().eventId("search-" + i).eventType(EventType.SEARCH).eventTime(eventTime)
                            .userId(user).query(QUERIES[skewed(r, QUERIES.length)] + " " + r.nextInt(1000)).build();
                }
                w.write(MasterRows.toRecord(new IngestedEvent(e, ingest, 0, offset++)));
                if (r.nextInt(200) == 0) { // a producer retry: the same event again, a little later in the log
                    w.write(MasterRows.toRecord(new IngestedEvent(e, ingest + 1, 1, offset++)));
                }
            }
        } finally {
            if (w != null) {
                w.close();
                layout.markHourComplete(hour);
            }
        }
    }

    /** Writes a text file of {@code lines} lines of 1–15 Zipf-distributed words. */
    public static void writeText(Path file, long seed, int lines) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int l = 0; l < lines; l++) {
                int words = 1 + r.nextInt(15);
                for (int i = 0; i < words; i++) {
                    w.write("w");
                    w.write(Integer.toString(skewed(r, 100_000)));
                    w.write(i + 1 < words ? ' ' : '\n');
                }
            }
        }
    }

    /** A Zipf-like index in [0, n): small indexes are far more frequent. */
    static int skewed(SplittableRandom r, int n) {
        double u = r.nextDouble();
        return (int) (n * u * u * u);
    }

    @SafeVarargs
    private static <T> T pick(SplittableRandom r, T... options) {
        return options[r.nextInt(options.length)];
    }
}
