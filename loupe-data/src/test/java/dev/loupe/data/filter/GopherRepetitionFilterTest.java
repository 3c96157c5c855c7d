package dev.loupe.data.filter;

import dev.loupe.data.DocKey;
import dev.loupe.data.Document;
import dev.loupe.data.bench.CorpusGenerator;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.Outcome;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Each rule alone (the others set to 1.0, i.e. off), just inside and just outside its threshold. */
class GopherRepetitionFilterTest {
    static Outcome run(GopherRepetitionFilter f, String text) {
        return f.apply(new Document("t", text, Map.of(), new DocKey(0, 0)), new Counters());
    }

    static GopherRepetitionFilter only(String rule, double t) {
        double off = 1.0;
        return new GopherRepetitionFilter(null, rule.equals("line") ? t : off, rule.equals("para") ? t : off,
                rule.equals("line_char") ? t : off, rule.equals("para_char") ? t : off,
                Map.of(2, rule.equals("top2") ? t : off), Map.of(5, rule.equals("dup5") ? t : off));
    }

    /** Distinct lines of distinct pseudo-words: no repetition at all. */
    static List<String> uniqueLines(int n, int wordsPerLine, long seed) {
        CorpusGenerator g = new CorpusGenerator(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(String.join(" ", g.rareWords(wordsPerLine)));
        return out;
    }

    @Test
    void defaultsKeepOrdinaryText() {
        String doc = new CorpusGenerator(3).document(200, 300);
        assertThat(run(GopherRepetitionFilter.defaults(), doc)).isInstanceOf(Outcome.Keep.class);
    }

    @Test
    void duplicateLineFraction() {
        List<String> l = uniqueLines(6, 5, 1);
        l.addAll(List.of("x", "x", "x", "x"));               // 10 lines, 3 repeats = 0.30
        assertThat(run(only("line", 0.3), String.join("\n", l))).isInstanceOf(Outcome.Keep.class);
        l.set(0, "x");                                       // 4 repeats = 0.40
        assertThat(run(only("line", 0.3), String.join("\n", l))).isEqualTo(Outcome.drop("dup_line_frac"));
    }

    @Test
    void duplicateParagraphFraction() {
        List<String> p = uniqueLines(6, 5, 2);
        p.addAll(List.of("x", "x", "x", "x"));
        assertThat(run(only("para", 0.3), String.join("\n\n", p))).isInstanceOf(Outcome.Keep.class);
        p.set(0, "x");
        assertThat(run(only("para", 0.3), String.join("\n\n", p))).isEqualTo(Outcome.drop("dup_para_frac"));
    }

    @Test
    void duplicateLineCharacterFraction() {
        // 100 chars of a repeated line over a 500-char text = 0.20; one more char tips it over.
        String t1 = "a".repeat(100) + "\n" + "a".repeat(100) + "\n" + "b".repeat(298); // 500 chars, 100 repeated
        assertThat(run(only("line_char", 0.2), t1)).isInstanceOf(Outcome.Keep.class);
        String t2 = "a".repeat(101) + "\n" + "a".repeat(101) + "\n" + "b".repeat(296); // 500 chars, 101 repeated
        assertThat(run(only("line_char", 0.2), t2)).isEqualTo(Outcome.drop("dup_line_char_frac"));
    }

    @Test
    void duplicateParagraphCharacterFraction() {
        String t1 = "a".repeat(100) + "\n\n" + "a".repeat(100) + "\n\n" + "b".repeat(296);
        assertThat(run(only("para_char", 0.2), t1)).isInstanceOf(Outcome.Keep.class);
        String t2 = "a".repeat(101) + "\n\n" + "a".repeat(101) + "\n\n" + "b".repeat(294);
        assertThat(run(only("para_char", 0.2), t2)).isEqualTo(Outcome.drop("dup_para_char_frac"));
    }

    @Test
    void topBigramCharacterFraction() {
        // word chars: "ab cd" x k (4 chars each time) + unique filler; top bigram "ab cd" counts 4 * k.
        CorpusGenerator g = new CorpusGenerator(4);
        List<String> w = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            w.add("ab");
            w.add("cd");
        }
        int fillerChars = 0;
        List<String> filler = new ArrayList<>();
        while (fillerChars < 80) {
            String x = g.rareWord();
            if (fillerChars + x.length() > 80) x = x.substring(0, 80 - fillerChars);
            filler.add(x);
            fillerChars += x.length();
        }
        w.addAll(filler); // 20 repeated chars over 100 word chars = 0.20
        assertThat(run(only("top2", 0.2), String.join(" ", w))).isInstanceOf(Outcome.Keep.class);
        w.addAll(0, List.of("ab", "cd")); // 24 / 104 = 0.23
        assertThat(run(only("top2", 0.2), String.join(" ", w))).isEqualTo(Outcome.drop("top_2_gram"));
    }

    /** The 5-gram "aa bb cc dd ee" twice (20 covered chars) around {@code fillerChars} of distinct words. */
    static String fiveGramDoc(int fillerChars) {
        CorpusGenerator g = new CorpusGenerator(5);
        List<String> five = List.of("aa", "bb", "cc", "dd", "ee");
        List<String> w = new ArrayList<>(five);
        int chars = 0;
        while (chars < fillerChars) {
            String x = g.rareWord();
            if (chars + x.length() > fillerChars) x = x.substring(0, fillerChars - chars);
            w.add(x);
            chars += x.length();
        }
        w.addAll(five);
        return String.join(" ", w);
    }

    @Test
    void duplicatedFiveGramCharacterFraction() {
        assertThat(run(only("dup5", 0.15), fiveGramDoc(114))).isInstanceOf(Outcome.Keep.class);    // 20/134 = 0.149
        assertThat(run(only("dup5", 0.15), fiveGramDoc(113))).isEqualTo(Outcome.drop("duplicated_5_grams")); // 20/133 = 0.1504
    }
}
