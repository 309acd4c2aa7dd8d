package dev.tandem.batch.mapreduce.jobs;

import dev.tandem.core.event.EventSchemas;
import dev.tandem.core.event.IngestedEvent;
import dev.tandem.core.storage.StorageLayout;
import dev.tandem.core.time.IngestTags;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalOutputFile;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a master dataset for tests with parquet-avro: events by ingest hour, {@code parts} part files per
 * hour with small row groups (so there are many splits), {@code _SUCCESS} on the hours asked for.
 * Events the master schema cannot hold (no id, type or user) are left out, as the archive would
 * quarantine them.
 */
public final class MasterFixture {

    private MasterFixture() {
    }

    /** @return the hours written, ascending */
    public static List<Long> write(StorageLayout layout, List<IngestedEvent> log, int parts, int rowGroupBytes,
                            boolean completeLastHour)
            throws IOException {
        Map<Long, List<IngestedEvent>> byHour = new TreeMap<>();
        for (IngestedEvent ie : log) {
            if (MasterRows.representable(ie.event())) {
                byHour.computeIfAbsent(ie.tag(), h -> new ArrayList<>()).add(ie);
            }
        }
        List<Long> hours = new ArrayList<>();
        long first = byHour.keySet().iterator().next();
        long last = ((TreeMap<Long, List<IngestedEvent>>) byHour).lastKey();
        for (long h = first; h <= last; h += IngestTags.HOUR_MS) {
            hours.add(h);
            List<IngestedEvent> events = byHour.getOrDefault(h, List.of());
            java.nio.file.Files.createDirectories(java.nio.file.Path.of(layout.masterHourDir(h).toUri()));
            for (int part = 0; part < parts && !events.isEmpty(); part++) {
                // java.nio instead of Hadoop's local filesystem, which forks chmod for every file it creates
                java.nio.file.Path file = java.nio.file.Path.of(layout.masterHourDir(h).toUri()).resolve("part-" + part + ".parquet");
                try (ParquetWriter<GenericRecord> w = AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file))
                        .withSchema(EventSchemas.MASTER_EVENT)
                        .withDataModel(GenericData.get())
                        .withRowGroupSize(rowGroupBytes)
                        .withPageSize(1024)
                        .build()) {
                    for (int i = part; i < events.size(); i += parts) {
                        w.write(MasterRows.toRecord(events.get(i)));
                    }
                }
            }
            if (h < last || completeLastHour) {
                layout.markHourComplete(h);
            }
        }
        return hours;
    }
}
