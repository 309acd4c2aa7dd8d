package dev.tandem.batch.mapreduce;

import java.io.IOException;
import java.util.Arrays;
import java.util.Iterator;

/** Runs a combiner over a sorted partition (grouped by the whole key) into a run writer. */
final class CombineDriver<K, V> {

    private final Combiner<K, V> combiner;
    private final KeyCodec<K> keyCodec;
    private final Serde<V> valueSerde;
    private final Counters counters;
    private final BinaryReader keyReader = new BinaryReader();
    private final BinaryWriter scratch = new BinaryWriter(256);

    CombineDriver(Combiner<K, V> combiner, KeyCodec<K> keyCodec, Serde<V> valueSerde, Counters counters) {
        this.combiner = combiner;
        this.keyCodec = keyCodec;
        this.valueSerde = valueSerde;
        this.counters = counters;
    }

    void run(RecordSource src, RunWriter out) throws IOException {
        Grouper g = new Grouper(src, Grouper.WHOLE_KEY);
        long outRecords = 0;
        long[] emitted = {0};
        while (g.nextGroup()) {
            byte[] gk = g.groupKey();
            int gkl = g.groupKeyLen();
            K key = keyCodec.read(keyReader.reset(gk, 0, gkl));
            Iterator<V> values = g.values(valueSerde);
            combiner.combine(key, values, (k, v) -> {
                scratch.reset();
                keyCodec.write(k, scratch);
                int klen = scratch.size();
                if (!Arrays.equals(scratch.bytes(), 0, klen, gk, 0, gkl)) {
                    throw new IllegalStateException("a combiner must emit the key it was given: got " + k + " for " + key);
                }
                valueSerde.write(v, scratch);
                out.append(scratch.bytes(), 0, klen, scratch.bytes(), klen, scratch.size() - klen);
                emitted[0]++;
            });
            while (values.hasNext()) {
                values.next(); // a combiner may stop early; the rest of the group is dropped like Hadoop does
            }
        }
        outRecords += emitted[0];
        counters.add(Counters.COMBINE_INPUT_RECORDS, g.records());
        counters.add(Counters.COMBINE_OUTPUT_RECORDS, outRecords);
    }
}
