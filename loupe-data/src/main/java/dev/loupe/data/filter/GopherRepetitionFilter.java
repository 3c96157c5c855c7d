package dev.loupe.data.filter;

import dev.loupe.data.Document;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.DocStep;
import dev.loupe.data.step.Outcome;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Gopher's repetition rules. Source: Rae et al. 2021 (arXiv:2112.11446), section A.1.1 and Table A1:
 * duplicate line fraction 0.30, duplicate paragraph fraction 0.30, duplicate line character fraction 0.20,
 * duplicate paragraph character fraction 0.20, top 2/3/4-gram character fraction 0.20/0.18/0.16, duplicate
 * 5..10-gram character fraction 0.15, 0.14, 0.13, 0.12, 0.11, 0.10. A document above any threshold is removed.
 * <p>
 * Line and paragraph rules follow datatrove (a repeat counts from its second occurrence; characters over the
 * document length). For n-grams the denominator is the characters of all words, as in RedPajama-V2's
 * {@code rps_doc_frac_chars_top_ngram}/{@code _dupe_ngrams}: the top n-gram's characters times its count
 * (only if it occurs at least twice), and for duplicates the characters of every word covered by any occurrence of
 * an n-gram that occurs more than once, each word counted once.
 */
public record GopherRepetitionFilter(String name, Double dupLineFrac, Double dupParaFrac, Double dupLineCharFrac,
                                     Double dupParaCharFrac, Map<Integer, Double> topNGrams,
                                     Map<Integer, Double> dupNGrams) implements DocStep {
    private static final Pattern PARAGRAPHS = Pattern.compile("\\n{2,}");

    public GopherRepetitionFilter {
        name = name == null ? "gopher_repetition" : name;
        dupLineFrac = dupLineFrac == null ? 0.3 : dupLineFrac;
        dupParaFrac = dupParaFrac == null ? 0.3 : dupParaFrac;
        dupLineCharFrac = dupLineCharFrac == null ? 0.2 : dupLineCharFrac;
        dupParaCharFrac = dupParaCharFrac == null ? 0.2 : dupParaCharFrac;
        topNGrams = topNGrams == null ? Map.of(2, 0.20, 3, 0.18, 4, 0.16) : Map.copyOf(topNGrams);
        dupNGrams = dupNGrams == null ? Map.of(5, 0.15, 6, 0.14, 7, 0.13, 8, 0.12, 9, 0.11, 10, 0.10) : Map.copyOf(dupNGrams);
    }

    public static GopherRepetitionFilter defaults() {
        return new GopherRepetitionFilter(null, null, null, null, null, null, null);
    }

    @Override
    public Outcome apply(Document doc, Counters c) {
        String text = doc.text();
        if (text.isEmpty()) return Outcome.keep(doc);
        List<String> paras = List.of(PARAGRAPHS.split(text.strip()));
        long[] pd = duplicates(paras);
        if ((double) pd[0] / paras.size() > dupParaFrac) return Outcome.drop("dup_para_frac");
        if ((double) pd[1] / text.length() > dupParaCharFrac) return Outcome.drop("dup_para_char_frac");
        List<String> lines = text.lines().toList();
        long[] ld = duplicates(lines);
        if (!lines.isEmpty() && (double) ld[0] / lines.size() > dupLineFrac) return Outcome.drop("dup_line_frac");
        if ((double) ld[1] / text.length() > dupLineCharFrac) return Outcome.drop("dup_line_char_frac");

        List<String> words = Text.words(text);
        int[] len = words.stream().mapToInt(String::length).toArray();
        long[] hash = words.stream().mapToLong(w -> w.hashCode() * 0x9E3779B97F4A7C15L + w.length()).toArray();
        long total = 0;
        for (int l : len) total += l;
        if (total == 0) return Outcome.keep(doc);
        for (int n : topNGrams.keySet().stream().sorted().toList()) {
            if ((double) topNGramChars(hash, len, n) / total > topNGrams.get(n)) return Outcome.drop("top_" + n + "_gram");
        }
        for (int n : dupNGrams.keySet().stream().sorted().toList()) {
            if ((double) dupNGramChars(hash, len, n) / total > dupNGrams.get(n)) return Outcome.drop("duplicated_" + n + "_grams");
        }
        return Outcome.keep(doc);
    }

    /** {number of repeated elements, their characters}, counting from each element's second occurrence. */
    static long[] duplicates(List<String> xs) {
        Set<String> seen = new HashSet<>();
        long n = 0, chars = 0;
        for (String x : xs) {
            if (!seen.add(x)) {
                n++;
                chars += x.length();
            }
        }
        return new long[]{n, chars};
    }

    private static long[] gramHashes(long[] h, int n) {
        int m = h.length - n + 1;
        if (m <= 0) return new long[0];
        long[] g = new long[m];
        for (int i = 0; i < m; i++) {
            long x = 0;
            for (int j = 0; j < n; j++) x = x * 0x100000001B3L + h[i + j];
            g[i] = x;
        }
        return g;
    }

    static long topNGramChars(long[] h, int[] len, int n) {
        long[] g = gramHashes(h, n);
        Map<Long, Integer> counts = new HashMap<>();
        Map<Long, Integer> firstAt = new HashMap<>();
        for (int i = 0; i < g.length; i++) {
            counts.merge(g[i], 1, Integer::sum);
            firstAt.putIfAbsent(g[i], i);
        }
        long best = 0;
        for (Map.Entry<Long, Integer> e : counts.entrySet()) {
            if (e.getValue() < 2) continue;
            int at = firstAt.get(e.getKey());
            long chars = 0;
            for (int j = 0; j < n; j++) chars += len[at + j];
            best = Math.max(best, chars * e.getValue());
        }
        return best;
    }

    static long dupNGramChars(long[] h, int[] len, int n) {
        long[] g = gramHashes(h, n);
        Map<Long, Integer> counts = new HashMap<>();
        for (long x : g) counts.merge(x, 1, Integer::sum);
        boolean[] covered = new boolean[len.length];
        for (int i = 0; i < g.length; i++) {
            if (counts.get(g[i]) > 1) for (int j = 0; j < n; j++) covered[i + j] = true;
        }
        long chars = 0;
        for (int i = 0; i < len.length; i++) if (covered[i]) chars += len[i];
        return chars;
    }
}
