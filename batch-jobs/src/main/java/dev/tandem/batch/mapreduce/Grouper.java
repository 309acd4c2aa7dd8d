package dev.tandem.batch.mapreduce;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Cuts a sorted record stream into key groups without buffering them: {@link #nextGroup()} skips
 * what is left of the current group, and {@link #values} streams the group's values straight off
 * the source. Records are in one group while their grouping prefix (see
 * {@link KeyCodec#groupLength}) is equal.
 */
final class Grouper {

    /** The grouping prefix length of a key. */
    interface GroupLength {
        int of(byte[] key, int off, int len);
    }

    static final GroupLength WHOLE_KEY = (k, off, len) -> len;

    private final RecordSource src;
    private final GroupLength groupLength;
    private boolean hasCurrent;
    private boolean started;
    private byte[] groupKey = new byte[64];
    private int groupKeyLen;
    private int groupPrefixLen;
    private long records;
    /** In-group status of the current record: -1 unknown, 0 no, 1 yes. */
    private int inGroupCache = -1;

    Grouper(RecordSource src, GroupLength groupLength) {
        this.src = src;
        this.groupLength = groupLength;
    }

    private void advance() throws IOException {
        inGroupCache = -1;
        hasCurrent = src.next();
        if (hasCurrent) {
            records++;
        }
    }

    /** Whether the source's current record belongs to the current group. */
    boolean inGroup() {
        if (!hasCurrent) {
            return false;
        }
        if (inGroupCache < 0) {
            int pl = groupLength.of(src.keyBuf(), src.keyOff(), src.keyLen());
            inGroupCache = pl == groupPrefixLen && Arrays.equals(src.keyBuf(), src.keyOff(), src.keyOff() + pl,
                    groupKey, 0, groupPrefixLen) ? 1 : 0;
        }
        return inGroupCache == 1;
    }

    boolean nextGroup() throws IOException {
        if (!started) {
            started = true;
            advance();
        } else {
            while (inGroup()) {
                advance();
            }
        }
        if (!hasCurrent) {
            return false;
        }
        groupKeyLen = src.keyLen();
        if (groupKey.length < groupKeyLen) {
            groupKey = new byte[Math.max(groupKeyLen, groupKey.length * 2)];
        }
        System.arraycopy(src.keyBuf(), src.keyOff(), groupKey, 0, groupKeyLen);
        groupPrefixLen = groupLength.of(groupKey, 0, groupKeyLen);
        inGroupCache = 1;
        return true;
    }

    /** The first full key of the current group. */
    byte[] groupKey() {
        return groupKey;
    }

    int groupKeyLen() {
        return groupKeyLen;
    }

    /** Records read from the source so far. */
    long records() {
        return records;
    }

    RecordSource source() {
        return src;
    }

    /** Moves past the current record (which must be in the group). */
    void consume() {
        try {
            advance();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The current group's values, deserialized one at a time as the iterator is consumed. */
    <V> Iterator<V> values(Serde<V> serde) {
        BinaryReader reader = new BinaryReader();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return inGroup();
            }

            @Override
            public V next() {
                if (!inGroup()) {
                    throw new NoSuchElementException();
                }
                V v = serde.read(reader.reset(src.valBuf(), src.valOff(), src.valLen()));
                consume();
                return v;
            }
        };
    }
}
