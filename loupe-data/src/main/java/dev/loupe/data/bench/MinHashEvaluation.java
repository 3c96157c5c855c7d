package dev.loupe.data.bench;

import dev.loupe.data.DocKey;
import dev.loupe.data.Document;
import dev.loupe.data.dedup.LshParams;
import dev.loupe.data.dedup.MinHashDedup;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Measures MinHash LSH on planted near-duplicate pairs: each pair is a document and a copy at a chosen Jaccard
 * similarity (over word shingles, computed exactly afterwards), and a pair is detected when the two documents share
 * a band bucket. Detection rates can then be set against the theoretical S-curve, and precision/recall against
 * the threshold.
 */
public final class MinHashEvaluation {
    /** One planted pair: its exact Jaccard similarity and whether LSH made it a candidate. */
    public record Pair(double jaccard, boolean detected) {}

    /** One row of the precision/recall table. */
    public record Row(double threshold, LshParams lsh, int positives, int detected, int truePositives) {
        public double precision() {
            return detected == 0 ? 1 : (double) truePositives / detected;
        }

        public double recall() {
            return positives == 0 ? 1 : (double) truePositives / positives;
        }
    }

    private MinHashEvaluation() {}

    /** {@code perLevel} pairs at each target similarity, documents of {@code words} pseudo-words. */
    public static List<Pair> run(MinHashDedup dedup, double[] levels, int perLevel, int words, long seed) {
        CorpusGenerator g = new CorpusGenerator(seed);
        List<Pair> out = new ArrayList<>();
        long k = 0;
        for (double s : levels) {
            for (int i = 0; i < perLevel; i++) {
                List<String> a = g.rareWords(words);
                List<String> b = g.nearDuplicate(a, s, dedup.shingleSize());
                String ta = String.join(" ", a), tb = String.join(" ", b);
                double j = jaccard(dedup.shingles(ta), dedup.shingles(tb));
                long[] sa = dedup.signature(new Document("a", ta, Map.of(), new DocKey(0, k++)));
                long[] sb = dedup.signature(new Document("b", tb, Map.of(), new DocKey(0, k++)));
                boolean hit = false;
                for (int band = 0; band < sa.length && !hit; band++) hit = sa[band] == sb[band];
                out.add(new Pair(j, hit));
            }
        }
        return out;
    }

    public static Row table(double threshold, LshParams lsh, List<Pair> pairs) {
        int pos = 0, det = 0, tp = 0;
        for (Pair p : pairs) {
            boolean positive = p.jaccard() >= threshold;
            if (positive) pos++;
            if (p.detected()) det++;
            if (positive && p.detected()) tp++;
        }
        return new Row(threshold, lsh, pos, det, tp);
    }

    public static double jaccard(long[] a, long[] b) {
        Set<Long> sa = new HashSet<>(), sb = new HashSet<>();
        for (long x : a) sa.add(x);
        for (long x : b) sb.add(x);
        int inter = 0;
        for (long x : sa) if (sb.contains(x)) inter++;
        return (double) inter / (sa.size() + sb.size() - inter);
    }

    /** Target similarities 0.05, 0.10, ... 1.00. */
    public static double[] grid() {
        double[] g = new double[20];
        for (int i = 0; i < 20; i++) g[i] = (i + 1) * 0.05;
        return g;
    }
}
