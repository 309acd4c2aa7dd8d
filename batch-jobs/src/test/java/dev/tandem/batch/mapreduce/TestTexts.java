package dev.tandem.batch.mapreduce;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/** Deterministic text corpora for the engine tests (seeded, never from the clock). */
final class TestTexts {

    private static final String[] VOCABULARY = buildVocabulary();

    private TestTexts() {
    }

    private static String[] buildVocabulary() {
        List<String> v = new ArrayList<>(List.of("the", "a", "of", "Red", "red", "shoes", "ÉTÉ", "été", "straße",
                "日本", "x1", "42", "zebra", "ärger", "ab", "abc", "b"));
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 2000; i++) {
            StringBuilder sb = new StringBuilder();
            int len = 2 + r.nextInt(9);
            for (int j = 0; j < len; j++) {
                sb.append((char) ('a' + r.nextInt(26)));
            }
            v.add(sb.toString());
        }
        return v.toArray(new String[0]);
    }

    /**
     * Writes {@code files} text files of about {@code linesPerFile} lines: words drawn with a
     * skewed (Zipf-like) distribution, separators of punctuation and spaces, some empty lines,
     * some CRLF line ends, and no final newline in the last file. With {@code hotKeyShare} > 0,
     * that share of all words is the single word "hot".
     */
    static List<Path> write(Path dir, long seed, int files, int linesPerFile, double hotKeyShare) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom r = new SplittableRandom(seed);
        List<Path> out = new ArrayList<>();
        for (int f = 0; f < files; f++) {
            StringBuilder sb = new StringBuilder();
            for (int l = 0; l < linesPerFile; l++) {
                int words = r.nextInt(10) == 0 ? 0 : r.nextInt(14);
                for (int w = 0; w < words; w++) {
                    String word;
                    if (r.nextDouble() < hotKeyShare) {
                        word = "hot";
                    } else {
                        double u = r.nextDouble();
                        word = VOCABULARY[(int) (VOCABULARY.length * u * u * u)];
                    }
                    sb.append(word).append(r.nextInt(8) == 0 ? ", " : " ");
                }
                sb.append(r.nextInt(7) == 0 ? "\r\n" : "\n");
            }
            if (f == files - 1) {
                sb.append("last line without newline");
            }
            Path p = dir.resolve("input-" + f + ".txt");
            Files.writeString(p, sb.toString(), StandardCharsets.UTF_8);
            out.add(p);
        }
        return out;
    }

    /** All lines of the part files under an output dir, in file-name order. */
    static List<String> readOutput(Path dir) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(x -> x.getFileName().toString().startsWith("part-")).sorted().toList()) {
                lines.addAll(Files.readAllLines(p, StandardCharsets.UTF_8));
            }
        }
        return lines;
    }
}
