package dev.tandem.batch.mapreduce;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Text files cut into byte ranges of at most {@code splitBytes}. A line belongs to the split that
 * holds its first byte: a reader whose range does not start at 0 skips the partial line before
 * its start (it rereads the byte before {@code start}: if that is a newline, nothing is skipped),
 * and it reads on past its end to finish the last line it owns. Lines are UTF-8, without the
 * {@code \n} (and a {@code \r} before it).
 */
public final class TextInputFormat implements InputFormat<String> {

    private final long splitBytes;

    public TextInputFormat(long splitBytes) {
        if (splitBytes < 1) {
            throw new IllegalArgumentException("splitBytes must be positive");
        }
        this.splitBytes = splitBytes;
    }

    @Override
    public List<InputSplit> splits(int input, List<Path> paths, Configuration conf) throws IOException {
        List<InputSplit> out = new ArrayList<>();
        for (Path p : paths) {
            FileSystem fs = p.getFileSystem(conf);
            FileStatus st = fs.getFileStatus(p);
            long len = st.getLen();
            for (long start = 0; start < len; start += splitBytes) {
                out.add(new InputSplit(input, st.getPath(), start, Math.min(splitBytes, len - start), -1));
            }
        }
        return out;
    }

    @Override
    public RecordReader<String> open(InputSplit split, Configuration conf) throws IOException {
        FileSystem fs = split.path().getFileSystem(conf);
        return new LineReader(fs.open(split.path()), split.start(), split.start() + split.length());
    }

    static final class LineReader implements RecordReader<String> {
        private final FSDataInputStream in;
        private final long end;
        private final byte[] buf = new byte[64 * 1024];
        private int bufPos;
        private int bufLen;
        private long pos; // file position of buf[bufPos]
        private byte[] line = new byte[256];
        private String current;

        LineReader(FSDataInputStream in, long start, long end) throws IOException {
            this.in = in;
            this.end = end;
            if (start > 0) {
                in.seek(start - 1);
                pos = start - 1;
                readLine(); // the tail of the previous split's last line (or just its newline)
            } else {
                pos = 0;
            }
        }

        /** Reads one line into {@code line}; returns its length, or -1 at end of file. */
        private int readLine() throws IOException {
            int n = 0;
            boolean any = false;
            while (true) {
                if (bufPos == bufLen) {
                    bufLen = in.read(buf, 0, buf.length);
                    bufPos = 0;
                    if (bufLen <= 0) {
                        bufLen = 0;
                        return any ? n : -1;
                    }
                }
                any = true;
                int i = bufPos;
                while (i < bufLen && buf[i] != '\n') {
                    i++;
                }
                int chunk = i - bufPos;
                if (n + chunk > line.length) {
                    line = Arrays.copyOf(line, Math.max(line.length * 2, n + chunk));
                }
                System.arraycopy(buf, bufPos, line, n, chunk);
                n += chunk;
                pos += chunk;
                bufPos = i;
                if (i < bufLen) { // found the newline
                    bufPos++;
                    pos++;
                    return n;
                }
            }
        }

        @Override
        public boolean next() throws IOException {
            if (pos >= end) {
                current = null;
                return false;
            }
            int n = readLine();
            if (n < 0) {
                current = null;
                return false;
            }
            if (n > 0 && line[n - 1] == '\r') {
                n--;
            }
            current = new String(line, 0, n, StandardCharsets.UTF_8);
            return true;
        }

        @Override
        public String current() {
            return current;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
