package dev.tandem.core.view;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TermsTest {

    @Test
    void lowerCasedRunsOfLettersAndDigits() {
        assertThat(Terms.tokenize("red red shoes")).containsExactly("red", "red", "shoes");
        assertThat(Terms.tokenize("  Blue-Jeans, size 32!")).containsExactly("blue", "jeans", "size", "32");
        assertThat(Terms.tokenize("")).isEmpty();
        assertThat(Terms.tokenize("?!  -- ")).isEmpty();
    }

    @Test
    void unicodeLettersAndDigitsAreWordCharacters() {
        assertThat(Terms.tokenize("ÉTÉ Robe")).containsExactly("été", "robe");
        assertThat(Terms.tokenize("東京 ラーメン")).containsExactly("東京", "ラーメン");
        assertThat(Terms.tokenize("x٣y")).containsExactly("x٣y"); // Arabic-Indic digit three
        assertThat(Terms.tokenize("a\uD835\uDC00b c")).containsExactly("a\uD835\uDC00b", "c"); // math bold A, a letter
    }

    @Test
    void localeRootLowerCasing() {
        // Locale.ROOT lower-cases I to i even where the default locale is Turkish
        assertThat(Terms.tokenize("INDIGO")).containsExactly("indigo");
    }
}
