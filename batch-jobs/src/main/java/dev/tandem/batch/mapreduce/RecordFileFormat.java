package dev.tandem.batch.mapreduce;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The engine's binary record file, for the intermediate outputs of job chains (a SequenceFile in
 * spirit): the magic {@code TMR1}, then records {@code varint(keyLen+1) varint(valueLen) key
 * value}, then a single {@code 0} byte. A file without its end marker is truncated and is
 * refused rather than read short. One split per file.
 */
public final class RecordFileFormat<K, V> implements InputFormat<KeyValue<K, V>>, OutputFormat<K, V> {

    static final byte[] MAGIC = {'T', 'M', 'R', '1'};
    public static final String EXTENSION = ".rec";

    private final Serde<K> keySerde;
    private final Serde<V> valueSerde;

    public RecordFileFormat(Serde<K> keySerde, Serde<V> valueSerde) {
        this.keySerde = keySerde;
        this.valueSerde = valueSerde;
    }

    @Override
    public List<InputSplit> splits(int input, List<Path> paths, Configuration conf) throws IOException {
        List<InputSplit> out = new ArrayList<>();
        for (Path dir : paths) {
            FileSystem fs = dir.getFileSystem(conf);
            List<FileStatus> files = new ArrayList<>();
            if (fs.getFileStatus(dir).isDirectory()) {
                for (FileStatus st : fs.listStatus(dir)) {
                    if (st.isFile() && st.getPath().getName().endsWith(EXTENSION)) {
                        files.add(st);
                    }
                }
            } else {
                files.add(fs.getFileStatus(dir));
            }
            files.sort((a, b) -> a.getPath().getName().compareTo(b.getPath().getName()));
            for (FileStatus st : files) {
                out.add(new InputSplit(input, st.getPath(), 0, st.getLen(), -1));
            }
        }
        return out;
    }

    @Override
    public RecordReader<KeyValue<K, V>> open(InputSplit split, Configuration conf) throws IOException {
        FileSystem fs = split.path().getFileSystem(conf);
        InputStream in = new BufferedInputStream(fs.open(split.path()), 64 * 1024);
        byte[] magic = in.readNBytes(4);
        if (!Arrays.equals(magic, MAGIC)) {
            in.close();
            throw new IOException(split.path() + " is not a record file");
        }
        return new RecordReader<>() {
            private final BinaryReader reader = new BinaryReader();
            private byte[] k = new byte[64];
            private byte[] v = new byte[64];
            private KeyValue<K, V> current;

            @Override
            public boolean next() throws IOException {
                long kl = readVarLong(in, split.path());
                if (kl == 0) {
                    current = null;
                    return false;
                }
                int klen = (int) (kl - 1);
                int vlen = (int) readVarLong(in, split.path());
                if (k.length < klen) {
                    k = new byte[klen * 2];
                }
                if (v.length < vlen) {
                    v = new byte[vlen * 2];
                }
                readFully(in, k, klen, split.path());
                readFully(in, v, vlen, split.path());
                K key = keySerde.read(reader.reset(k, 0, klen));
                V value = valueSerde.read(reader.reset(v, 0, vlen));
                current = new KeyValue<>(key, value);
                return true;
            }

            @Override
            public KeyValue<K, V> current() {
                return current;
            }

            @Override
            public void close() throws IOException {
                in.close();
            }
        };
    }

    @Override
    public RecordWriter<K, V> open(FileSystem fs, Path attemptDir, int partition, Configuration conf) throws IOException {
        FSDataOutputStream raw = fs.create(new Path(attemptDir, OutputFormat.partName(partition) + EXTENSION), false);
        OutputStream out = new BufferedOutputStream(raw, 64 * 1024);
        out.write(MAGIC);
        BinaryWriter scratch = new BinaryWriter(256);
        BinaryWriter header = new BinaryWriter(16);
        return new RecordWriter<>() {
            @Override
            public void write(K key, V value) throws IOException {
                scratch.reset();
                keySerde.write(key, scratch);
                int klen = scratch.size();
                valueSerde.write(value, scratch);
                header.reset();
                header.writeVarLong(klen + 1L).writeVarLong(scratch.size() - klen);
                out.write(header.bytes(), 0, header.size());
                out.write(scratch.bytes(), 0, scratch.size());
            }

            @Override
            public void close() throws IOException {
                out.write(0);
                out.close();
            }
        };
    }

    static long readVarLong(InputStream in, Object where) throws IOException {
        long v = 0;
        int shift = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException(where + ": truncated (no end marker)");
            }
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
            shift += 7;
        }
    }

    static void readFully(InputStream in, byte[] b, int len, Object where) throws IOException {
        int n = in.readNBytes(b, 0, len);
        if (n < len) {
            throw new IOException(where + ": truncated record");
        }
    }
}
