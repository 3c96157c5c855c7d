package dev.loupe.data.bench;

import dev.loupe.data.dedup.LshParams;
import dev.loupe.data.dedup.MinHashDedup;

import java.util.List;
import java.util.Locale;

/**
 * Prints, as Markdown, MinHash LSH precision and recall against the threshold on planted pairs, and measured
 * detection rates next to the S-curve. Run by hand: {@code java -cp ... dev.loupe.data.bench.MinHashTable}.
 */
public final class MinHashTable {
    private MinHashTable() {}

    public static void main(String[] args) {
        int perLevel = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        double[] grid = MinHashEvaluation.grid();
        System.out.printf(Locale.ROOT, "%d planted pairs per similarity level 0.05..1.00, 150-word documents, 5-word shingles, 128 permutations%n%n", perLevel);
        System.out.println("| threshold | bands × rows | pairs with J ≥ t | detected | precision | recall |");
        System.out.println("|---|---|---|---|---|---|");
        double[] ts = {0.5, 0.6, 0.7, 0.8, 0.9};
        List<List<MinHashEvaluation.Pair>> runs = new java.util.ArrayList<>();
        for (double t : ts) {
            MinHashDedup d = MinHashDedup.withThreshold(t);
            List<MinHashEvaluation.Pair> pairs = MinHashEvaluation.run(d, grid, perLevel, 150, 1234);
            runs.add(pairs);
            MinHashEvaluation.Row r = MinHashEvaluation.table(t, d.lsh(), pairs);
            System.out.printf(Locale.ROOT, "| %.1f | %d × %d | %d | %d | %.3f | %.3f |%n", t, r.lsh().bands(), r.lsh().rows(),
                    r.positives(), r.detected(), r.precision(), r.recall());
        }
        System.out.println();
        StringBuilder head = new StringBuilder("| s |");
        StringBuilder sep = new StringBuilder("|---|");
        for (double t : ts) {
            LshParams p = LshParams.forThreshold(t, 128);
            head.append(String.format(Locale.ROOT, " t=%.1f measured | t=%.1f S-curve (b=%d,r=%d) |", t, t, p.bands(), p.rows()));
            sep.append("---|---|");
        }
        System.out.println(head);
        System.out.println(sep);
        for (int g = 0; g < grid.length; g++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %.2f |", grid[g]));
            for (int k = 0; k < ts.length; k++) {
                LshParams p = LshParams.forThreshold(ts[k], 128);
                List<MinHashEvaluation.Pair> group = runs.get(k).subList(g * perLevel, (g + 1) * perLevel);
                double measured = group.stream().filter(MinHashEvaluation.Pair::detected).count() / (double) perLevel;
                double curve = group.stream().mapToDouble(x -> p.probability(x.jaccard())).average().orElse(0);
                row.append(String.format(Locale.ROOT, " %.2f | %.2f |", measured, curve));
            }
            System.out.println(row);
        }
    }
}
