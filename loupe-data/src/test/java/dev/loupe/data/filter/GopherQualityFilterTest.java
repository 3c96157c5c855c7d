package dev.loupe.data.filter;

import dev.loupe.data.DocKey;
import dev.loupe.data.Document;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.Outcome;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Each rule with a document just inside its threshold (kept) and one just outside (dropped for that reason). */
class GopherQualityFilterTest {
    static final GopherQualityFilter F = GopherQualityFilter.defaults();

    static Outcome run(String text) {
        return F.apply(new Document("t", text, Map.of(), new DocKey(0, 0)), new Counters());
    }

    static void keeps(String text) {
        assertThat(run(text)).isInstanceOf(Outcome.Keep.class);
    }

    static void drops(String text, String reason) {
        assertThat(run(text)).isEqualTo(Outcome.drop(reason));
    }

    /** "the and" plus filler words: two stop words, 50 words by default. */
    static List<String> words(int n, String filler) {
        List<String> w = new ArrayList<>(List.of("the", "and"));
        w.addAll(Collections.nCopies(n - 2, filler));
        return w;
    }

    static String text(List<String> w) {
        return String.join(" ", w) + ".";
    }

    @Test
    void wordCount() {
        keeps(text(words(50, "house")));
        drops(text(words(49, "house")), "gopher_short_doc");
        keeps(text(words(100_000, "house")));
        drops(text(words(100_001, "house")), "gopher_long_doc");
    }

    @Test
    void meanWordLength() {
        keeps(text(words(50, "abc")));                      // mean 3.00
        List<String> w = words(50, "abc");
        w.set(10, "ab");
        drops(text(w), "gopher_below_avg_word_length");     // mean 2.98
        List<String> lng = words(50, "abcdefghij");          // 2*3 + 48*10 = 486
        for (int i = 2; i < 16; i++) lng.set(i, "abcdefghijk"); // +14 -> 500 / 50 = 10.00
        keeps(text(lng));
        lng.set(16, "abcdefghijk");                          // 10.02
        drops(text(lng), "gopher_above_avg_word_length");
    }

    @Test
    void hashAndEllipsisRatios() {
        List<String> w = words(50, "house");
        for (int i = 2; i < 7; i++) w.set(i, "#house");     // 5 / 50 = 0.10
        keeps(text(w));
        w.set(7, "#house");
        drops(text(w), "gopher_too_many_hashes");
        List<String> e = words(50, "house");
        for (int i = 2; i < 7; i++) e.set(i, "house...");
        keeps(text(e));
        e.set(7, "house…");
        drops(text(e), "gopher_too_many_ellipsis");
    }

    static String lines(int n, int special, String prefix, String suffix) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) b.append('\n');
            boolean s = i < special;
            b.append(s ? prefix : "").append("the and house garden river").append(s ? suffix : ".");
        }
        return b.toString();
    }

    @Test
    void bulletAndEllipsisLines() {
        keeps(lines(10, 9, "• ", "."));                     // 0.90 bullets
        drops(lines(11, 10, "• ", "."), "gopher_too_many_bullets"); // 0.909
        keeps(lines(10, 3, "", " now..."));                 // 0.30 end in an ellipsis
        drops(lines(10, 4, "", " now..."), "gopher_too_many_end_ellipsis");
    }

    @Test
    void alphabeticWords() {
        List<String> w = words(50, "house");
        for (int i = 2; i < 12; i++) w.set(i, "1234");       // 40 / 50 = 0.80 have a letter
        keeps(text(w));
        w.set(12, "1234");
        drops(text(w), "gopher_below_alpha_ratio");
    }

    @Test
    void stopWords() {
        keeps(text(words(50, "house")));
        List<String> w = words(50, "house");
        w.set(1, "house");
        drops(text(w), "gopher_too_few_stop_words");
    }
}
