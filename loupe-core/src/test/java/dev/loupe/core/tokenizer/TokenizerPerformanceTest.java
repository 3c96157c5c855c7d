package dev.loupe.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Encoding 10 KB must be fast. The bound is loose (shared CI cores) but an O(n^2) rescan of the text,
 * or of one long word, blows through it: the second input is a single 10 KB "word".
 */
class TokenizerPerformanceTest {
    static final java.util.List<String> NAMES = Vocabs.NAMES;

    @ParameterizedTest
    @FieldSource("NAMES")
    void tenKilobytesIsFast(String name) {
        Tokenizer t = Vocabs.tokenizer(name);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 10_240) {
            for (Vocabs.Vector v : Vocabs.vectors(name)) sb.append(v.text()).append(' ');
        }
        String prose = sb.toString();
        String word = "ab".repeat(5_120);
        for (int i = 0; i < 3; i++) { // warm up the JIT
            t.encode(prose, true, false);
            t.encode(word, false, false);
        }
        long prosNs = Long.MAX_VALUE, wordNs = Long.MAX_VALUE;
        int n1 = 0, n2 = 0;
        for (int i = 0; i < 3; i++) { // best of three, so a GC pause on a busy machine does not fail the test
            long t0 = System.nanoTime();
            n1 = t.encode(prose, true, false).length;
            long t1 = System.nanoTime();
            n2 = t.encode(word, false, false).length;
            long t2 = System.nanoTime();
            prosNs = Math.min(prosNs, t1 - t0);
            wordNs = Math.min(wordNs, t2 - t1);
        }
        System.out.printf("[perf] %s: %d chars -> %d tokens in %.1f ms; one %d-char word -> %d tokens in %.1f ms%n",
                name, prose.length(), n1, prosNs / 1e6, word.length(), n2, wordNs / 1e6);
        assertThat(prosNs / 1e6).isLessThan(300);
        assertThat(wordNs / 1e6).isLessThan(300);
    }
}
