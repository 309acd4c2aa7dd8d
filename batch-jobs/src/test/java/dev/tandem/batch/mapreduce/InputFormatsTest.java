package dev.tandem.batch.mapreduce;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InputFormatsTest {

    static final Configuration CONF = new Configuration();

    @TempDir
    Path tmp;

    static <I> List<I> readAll(InputFormat<I> f, List<InputSplit> splits) throws IOException {
        List<I> out = new ArrayList<>();
        for (InputSplit s : splits) {
            try (RecordReader<I> r = f.open(s, CONF)) {
                while (r.next()) {
                    out.add(r.current());
                }
            }
        }
        return out;
    }

    @Test
    void textSplitsOfAnySizeReadEveryLineExactlyOnce() throws IOException {
        String text = "alpha\n\nbeta gamma\r\ndelta\n\n\nepsilon été 日本\nlast";
        Path f = tmp.resolve("t.txt");
        Files.writeString(f, text, StandardCharsets.UTF_8);
        List<String> want = List.of("alpha", "", "beta gamma", "delta", "", "", "epsilon été 日本", "last");
        long len = Files.size(f);
        for (long split = 1; split <= len + 1; split++) {
            TextInputFormat fmt = new TextInputFormat(split);
            List<InputSplit> splits = fmt.splits(0, List.of(new org.apache.hadoop.fs.Path(f.toUri())), CONF);
            assertThat(splits).hasSize((int) ((len + split - 1) / split));
            assertThat(readAll(fmt, splits)).as("split size %d", split).isEqualTo(want);
        }
    }

    @Test
    void aFileEndingInANewlineHasNoEmptyLastLine() throws IOException {
        Path f = tmp.resolve("t.txt");
        Files.writeString(f, "a\nb\n");
        TextInputFormat fmt = new TextInputFormat(2);
        assertThat(readAll(fmt, fmt.splits(0, List.of(new org.apache.hadoop.fs.Path(f.toUri())), CONF)))
                .containsExactly("a", "b");
    }

    @Test
    void parquetSplitsAreRowGroupsAndReadEveryRowOnce() throws IOException {
        Schema schema = SchemaBuilder.record("R").fields().requiredLong("n").requiredString("s").endRecord();
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(tmp.resolve("r.parquet").toUri());
        try (ParquetWriter<GenericRecord> w = AvroParquetWriter.<GenericRecord>builder(
                HadoopOutputFile.fromPath(file, CONF)).withSchema(schema).withRowGroupSize(4096)
                .withPageSize(512).withDataModel(GenericData.get()).build()) {
            for (long i = 0; i < 5_000; i++) {
                GenericData.Record r = new GenericData.Record(schema);
                r.put("n", i);
                r.put("s", "row-" + i + "-" + "x".repeat((int) (i % 17)));
                w.write(r);
            }
        }
        ParquetInputFormat fmt = new ParquetInputFormat();
        List<InputSplit> splits = fmt.splits(0, List.of(file), CONF);
        assertThat(splits).hasSizeGreaterThan(3);
        assertThat(splits.stream().mapToLong(InputSplit::records).sum()).isEqualTo(5_000);
        List<Long> ns = readAll(fmt, splits).stream().map(r -> (Long) r.get("n")).toList();
        assertThat(ns).hasSize(5_000).doesNotHaveDuplicates();
        // each split reads exactly its own row group
        for (InputSplit s : splits) {
            assertThat(readAll(fmt, List.of(s))).hasSize((int) s.records());
        }
    }

    @Test
    void aRecordFileWithoutItsEndMarkerIsRefused() throws IOException {
        RecordFileFormat<String, Long> fmt = new RecordFileFormat<>(Serdes.STRING, Serdes.VARLONG);
        org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(tmp.resolve("rec").toUri());
        var fs = dir.getFileSystem(CONF);
        try (RecordWriter<String, Long> w = fmt.open(fs, dir, 0, CONF)) {
            for (long i = 0; i < 100; i++) {
                w.write("k" + i, i);
            }
        }
        List<InputSplit> splits = fmt.splits(0, List.of(dir), CONF);
        assertThat(readAll(fmt, splits)).hasSize(100).first().isEqualTo(new KeyValue<>("k0", 0L));

        Path file = tmp.resolve("rec").resolve("part-r-00000.rec");
        byte[] all = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(all, all.length - 1));
        Files.deleteIfExists(tmp.resolve("rec").resolve(".part-r-00000.rec.crc"));
        assertThatThrownBy(() -> readAll(fmt, fmt.splits(0, List.of(dir), CONF)))
                .hasMessageContaining("truncated");
    }
}
