package dev.tandem.batch.mapreduce;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A sorted run on local disk: one segment per reduce partition, back to back, each a sequence of
 * records {@code varint(keyLen+1) varint(valueLen) key value} ended by a {@code 0} byte, records
 * sorted by key bytes within a segment. Spills, intermediate merges, map outputs and fetched
 * shuffle segments all have this format; the index (offset, length, records per partition) is
 * kept in memory or, for a map output, in {@code file.out.index} next to it.
 */
record Run(Path file, long[] offsets, long[] lengths, long[] records) {

    int partitions() {
        return offsets.length;
    }

    long totalBytes() {
        return Arrays.stream(lengths).sum();
    }

    long totalRecords() {
        return Arrays.stream(records).sum();
    }

    Path indexFile() {
        return file.resolveSibling(file.getFileName() + ".index");
    }

    /** Writes the index file: partitions, then (offset, length, records) per partition. */
    void writeIndex() throws IOException {
        try (OutputStream os = Files.newOutputStream(indexFile()); DataOutputStream out = new DataOutputStream(os)) {
            out.writeInt(offsets.length);
            for (int p = 0; p < offsets.length; p++) {
                out.writeLong(offsets[p]);
                out.writeLong(lengths[p]);
                out.writeLong(records[p]);
            }
        }
    }

    /** Reads a map output's index; {@code file} is the data file beside it. */
    static Run readIndexed(Path file) throws IOException {
        Path index = file.resolveSibling(file.getFileName() + ".index");
        try (InputStream is = Files.newInputStream(index); DataInputStream in = new DataInputStream(is)) {
            int n = in.readInt();
            long[] o = new long[n];
            long[] l = new long[n];
            long[] r = new long[n];
            for (int p = 0; p < n; p++) {
                o[p] = in.readLong();
                l[p] = in.readLong();
                r[p] = in.readLong();
            }
            return new Run(file, o, l, r);
        }
    }
}
