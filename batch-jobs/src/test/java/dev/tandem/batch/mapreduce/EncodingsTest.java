package dev.tandem.batch.mapreduce;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class EncodingsTest {

    record Pair(String s, long n) {
    }

    static byte[] encode(Pair p) {
        return new BinaryWriter().writeOrderedString(p.s()).writeOrderedLong(p.n()).toByteArray();
    }

    @Test
    void orderedKeysSortLikeTheirValues() {
        SplittableRandom r = new SplittableRandom(3);
        String[] strings = {"", "a", "a\0", "a\0b", "ab", "b", "é", "日本", "\0", "zz", "a\u0001"};
        long[] numbers = {Long.MIN_VALUE, -1_000_000, -1, 0, 1, 255, 256, Long.MAX_VALUE};
        List<Pair> pairs = new ArrayList<>();
        for (String s : strings) {
            for (long n : numbers) {
                pairs.add(new Pair(s, n));
            }
        }
        for (int i = 0; i < 200; i++) {
            pairs.add(new Pair(Long.toString(r.nextLong(), 36), r.nextLong()));
        }
        // code point order of UTF-8 bytes, then numeric order
        Comparator<Pair> natural = Comparator.<Pair, byte[]>comparing(p -> p.s().getBytes(StandardCharsets.UTF_8),
                Arrays::compareUnsigned).thenComparingLong(Pair::n);
        List<Pair> byValue = new ArrayList<>(pairs);
        byValue.sort(natural);
        List<Pair> byBytes = new ArrayList<>(pairs);
        byBytes.sort((a, b) -> Arrays.compareUnsigned(encode(a), encode(b)));
        assertThat(byBytes).isEqualTo(byValue);

        for (Pair p : pairs) {
            byte[] b = encode(p);
            BinaryReader in = new BinaryReader(b, 0, b.length);
            assertThat(new Pair(in.readOrderedString(), in.readOrderedLong())).isEqualTo(p);
            assertThat(BinaryReader.orderedStringLength(b, 0, b.length)).isEqualTo(b.length - 8);
        }
    }

    @Test
    void compactValuesRoundTrip() {
        long[] ns = {0, 1, -1, 63, -64, 64, Long.MAX_VALUE, Long.MIN_VALUE};
        BinaryWriter w = new BinaryWriter(1);
        for (long n : ns) {
            w.writeZigZag(n).writeVarLong(n).writeNullableString(n % 2 == 0 ? null : "s" + n).writeString("ü" + n);
        }
        BinaryReader r = new BinaryReader(w.bytes(), 0, w.size());
        for (long n : ns) {
            assertThat(r.readZigZag()).isEqualTo(n);
            assertThat(r.readVarLong()).isEqualTo(n);
            assertThat(r.readNullableString()).isEqualTo(n % 2 == 0 ? null : "s" + n);
            assertThat(r.readString()).isEqualTo("ü" + n);
        }
        assertThat(r.remaining()).isZero();
        assertThat(new BinaryWriter().writeZigZag(5).size()).isEqualTo(1);
    }
}
