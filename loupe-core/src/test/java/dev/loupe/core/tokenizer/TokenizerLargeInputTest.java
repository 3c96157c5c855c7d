package dev.loupe.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Large inputs: 10 KB of prose and a single 10 KB "word" (where an O(n^2) merge loop would show). Speed is not
 * asserted here (a busy CI core makes any bound flaky); the times are printed for the log, and what is asserted is
 * that the long inputs encode completely: the tokens' bytes give back exactly the text.
 */
class TokenizerLargeInputTest {
    static final java.util.List<String> NAMES = Vocabs.NAMES;

    @ParameterizedTest
    @FieldSource("NAMES")
    void tenKilobyteInputsEncodeCompletely(String name) {
        Tokenizer t = Vocabs.tokenizer(name);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 10_240) {
            for (Vocabs.Vector v : Vocabs.vectors(name)) sb.append(v.text()).append(' ');
        }
        String prose = sb.toString();
        String word = "ab".repeat(5_120);
        long t0 = System.nanoTime();
        int[] proseIds = t.encode(prose, false, false);
        long t1 = System.nanoTime();
        int[] wordIds = t.encode(word, false, false);
        long t2 = System.nanoTime();
        System.out.printf("[tokenizer] %s: %d chars -> %d tokens in %.1f ms; one %d-char word -> %d tokens in %.1f ms%n",
                name, prose.length(), proseIds.length, (t1 - t0) / 1e6, word.length(), wordIds.length, (t2 - t1) / 1e6);
        assertThat(pieces(t, wordIds).strip()).isEqualTo(word);
        assertThat(wordIds.length).isLessThanOrEqualTo(word.length() / 2); // merged at least into pairs
        assertThat(pieces(t, proseIds).strip()).isEqualTo(prose.strip());
    }

    private static String pieces(Tokenizer t, int[] ids) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int id : ids) out.writeBytes(t.tokenBytes(id));
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
