package dev.tandem.core.view;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The search-term tokenizer of {@code search_terms_daily}: the query is lower-cased with
 * {@link Locale#ROOT}, then every maximal run of Unicode letters and digits is a term. Repeats
 * count: "red red shoes" gives [red, red, shoes]. Lower-casing first keeps each term a run of
 * letters and digits even where lower-casing changes the length of a character.
 */
public final class Terms {

    private Terms() {
    }

    public static List<String> tokenize(String query) {
        String s = query.toLowerCase(Locale.ROOT);
        List<String> terms = new ArrayList<>();
        int start = -1;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            boolean word = Character.isLetterOrDigit(cp);
            if (word && start < 0) {
                start = i;
            } else if (!word && start >= 0) {
                terms.add(s.substring(start, i));
                start = -1;
            }
            i += Character.charCount(cp);
        }
        if (start >= 0) {
            terms.add(s.substring(start));
        }
        return terms;
    }
}
