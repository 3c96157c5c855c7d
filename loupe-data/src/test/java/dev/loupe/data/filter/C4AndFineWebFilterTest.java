package dev.loupe.data.filter;

import dev.loupe.core.LoupeException;
import dev.loupe.data.DocKey;
import dev.loupe.data.Document;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.DocStep;
import dev.loupe.data.step.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class C4AndFineWebFilterTest {
    static Outcome run(DocStep f, String text) {
        return f.apply(new Document("t", text, Map.of(), new DocKey(0, 0)), new Counters());
    }

    static String kept(DocStep f, String text) {
        return ((Outcome.Keep) run(f, text)).doc().text();
    }

    static final String S = "This is a proper sentence.";

    static String sentences(int n) {
        return String.join("\n", java.util.Collections.nCopies(n, S));
    }

    @Test
    void c4SentencesAndLines() {
        C4QualityFilter c4 = C4QualityFilter.defaults();
        assertThat(run(c4, sentences(5))).isInstanceOf(Outcome.Keep.class);
        assertThat(run(c4, sentences(4))).isEqualTo(Outcome.drop("too_few_sentences"));
        // lines without terminal punctuation, with fewer than 3 words, ending in an ellipsis, about javascript
        // or cookies are removed; the rest stays
        String t = sentences(5) + "\nNo punctuation here\nTwo words.\nThree words here.\nAnd it trails off...\n"
                + "Please enable JavaScript to continue.\nThis site uses cookies for you.\nA claim [1] with citation.";
        assertThat(kept(c4, t)).isEqualTo(sentences(5) + "\nThree words here.\nA claim  with citation.");
        assertThat(run(c4, sentences(5) + "\nLorem ipsum dolor sit amet.")).isEqualTo(Outcome.drop("lorem_ipsum"));
        assertThat(run(c4, sentences(5) + "\nvar x = {a: 1}; is code.")).isEqualTo(Outcome.drop("curly_bracket"));
        String longWord = "x".repeat(1000);
        assertThat(kept(c4, sentences(5) + "\nA " + longWord + " word.")).endsWith(longWord + " word.");
        assertThat(kept(c4, sentences(5) + "\nA " + longWord + "y word.")).isEqualTo(sentences(5));
    }

    @Test
    void c4BadWordsFromTheUsersFile(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("bad.txt"), "badword\nvery bad phrase\n");
        C4BadWordsFilter f = new C4BadWordsFilter(null, "bad.txt", tmp.toString());
        assertThat(run(f, "This has a BadWord in it.")).isEqualTo(Outcome.drop("bad_words"));
        assertThat(run(f, "A very bad phrase indeed.")).isEqualTo(Outcome.drop("bad_words"));
        assertThat(run(f, "Badwords and notbadword are other words.")).isInstanceOf(Outcome.Keep.class);
        assertThatThrownBy(() -> new C4BadWordsFilter(null, "missing.txt", tmp.toString())).isInstanceOf(LoupeException.class);
    }

    /** n lines of at least 31 chars, {@code punct} of them ending in a period, all distinct, 6 words each. */
    static String fwLines(int n, int punct) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add("Line number %03d of the long document%s".formatted(i, i < punct ? "." : ""));
        return String.join("\n", l);
    }

    @Test
    void fineWebLinePunctuation() {
        FineWebQualityFilter f = FineWebQualityFilter.defaults();
        assertThat(run(f, fwLines(100, 13))).isInstanceOf(Outcome.Keep.class); // 0.13
        assertThat(run(f, fwLines(100, 12))).isEqualTo(Outcome.drop("line_punct_ratio")); // 0.12 (at most 0.12 goes)
    }

    @Test
    void fineWebShortLines() {
        FineWebQualityFilter f = FineWebQualityFilter.defaults();
        List<String> l = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            l.add(i < 66 ? "Short %02d line here.".formatted(i) : "A longer line number %03d of the text with words.".formatted(i));
        }
        assertThat(run(f, String.join("\n", l))).isInstanceOf(Outcome.Keep.class); // 0.66 short
        l.set(66, "Short 66 line here.");
        assertThat(run(f, String.join("\n", l))).isEqualTo(Outcome.drop("short_line_ratio")); // 0.67
    }

    @Test
    void fineWebDuplicateLineChars() {
        FineWebQualityFilter f = FineWebQualityFilter.defaults();
        // 9 distinct lines of 100 chars + a line repeated twice: 10 repeated chars of 920 = 0.0109 (goes),
        // 9 of 918 = 0.0098 (stays).
        List<String> l = new ArrayList<>();
        for (int i = 0; i < 9; i++) l.add(("Distinct line %d with words and words. ".formatted(i) + "z".repeat(100)).substring(0, 99) + ".");
        List<String> a = new ArrayList<>(l);
        a.add("Repeat ab.");
        a.add("Repeat ab.");
        assertThat(run(f, String.join("\n", a))).isEqualTo(Outcome.drop("char_dup_ratio"));
        List<String> b = new ArrayList<>(l);
        b.add("Repeat a.");
        b.add("Repeat a.");
        assertThat(run(f, String.join("\n", b))).isInstanceOf(Outcome.Keep.class);
    }

    @Test
    void fineWebListRatio() {
        FineWebQualityFilter f = FineWebQualityFilter.defaults();
        List<String> l = new ArrayList<>();
        for (int i = 0; i < 10; i++) l.add("Extraordinarily%d wonderful sentences.".formatted(i)); // 3 words, > 30 chars
        assertThat(run(f, String.join("\n", l))).isInstanceOf(Outcome.Keep.class); // 9 newlines / 30 words = 0.30
        l.set(0, "Extraordinarily0 wonderfulsentences.");
        assertThat(run(f, String.join("\n", l))).isEqualTo(Outcome.drop("list_ratio")); // 9 / 29 = 0.31
    }
}
