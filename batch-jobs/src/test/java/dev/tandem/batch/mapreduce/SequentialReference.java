package dev.tandem.batch.mapreduce;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The oracle of the engine tests, like MIT 6.824's mrsequential: the same map and reduce
 * functions, run in one thread over whole files, everything in memory, one sort, no spills,
 * no partitions, no retries. Output is {@code key<TAB>value} lines in key order.
 */
final class SequentialReference {

    private SequentialReference() {
    }

    static <K, V, KO, VO> List<String> run(List<Path> textFiles, Mapper<String, K, V> mapper, KeyCodec<K> keyCodec,
                                           Serde<V> valueSerde, Reducer<K, V, KO, VO> reducer) throws IOException {
        // key bytes -> values, in key byte order (the engine's order)
        TreeMap<byte[], List<V>> groups = new TreeMap<>(Arrays::compareUnsigned);
        BinaryWriter w = new BinaryWriter();
        Emitter<K, V> collect = (k, v) -> {
            w.reset();
            keyCodec.write(k, w);
            groups.computeIfAbsent(w.toByteArray(), x -> new ArrayList<>()).add(v);
        };
        for (Path f : textFiles) {
            String text = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
            String[] lines = text.split("\n", -1);
            int n = text.endsWith("\n") ? lines.length - 1 : lines.length;
            for (int i = 0; i < n; i++) {
                String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
                mapper.map(line, collect);
            }
        }
        List<String> out = new ArrayList<>();
        for (Map.Entry<byte[], List<V>> e : groups.entrySet()) {
            K key = keyCodec.read(new BinaryReader(e.getKey(), 0, e.getKey().length));
            Iterator<V> values = e.getValue().iterator();
            reducer.reduce(key, values, (k, v) -> out.add(k + "\t" + v));
        }
        return out;
    }
}
