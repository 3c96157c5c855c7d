package dev.loupe.lens.position;

import dev.loupe.lens.html.LinePlot;

import java.util.ArrayList;
import java.util.List;

/** A position sweep as a text table and as a page of line charts (accuracy, log-probability, rank against depth). */
public final class SweepReport {
    private SweepReport() {}

    public static String table(PositionSweep.Result r) {
        boolean ranks = hasRanks(r);
        StringBuilder b = new StringBuilder(String.format("%-7s %-11s %-9s %-13s%s%n", "depth", "fact at", "accuracy", "log p(answer)", ranks ? " rank" : ""));
        for (PositionSweep.Point p : r.points()) {
            b.append(String.format("%-7.3f %-11s %-9.3f %-13.3f%s%n", p.depth(), "token " + p.factStart(), p.accuracy(), p.meanLogProb(),
                    ranks ? String.format(" %.1f", p.meanRank()) : ""));
        }
        return b.toString();
    }

    public static LinePlot plot(PositionSweep.Result r, String model, String fact) {
        int k = r.points().size();
        double[] x = new double[k], acc = new double[k], lp = new double[k], rank = new double[k];
        String[] notes = new String[k];
        for (int i = 0; i < k; i++) {
            PositionSweep.Point p = r.points().get(i);
            x[i] = p.depth();
            acc[i] = p.accuracy();
            lp[i] = p.meanLogProb();
            rank[i] = p.meanRank();
            notes[i] = "fact at token " + p.factStart();
        }
        List<LinePlot.Panel> panels = new ArrayList<>();
        panels.add(new LinePlot.Panel("accuracy", 0, 1, List.of(new LinePlot.Series("greedy correct", acc))));
        panels.add(new LinePlot.Panel("log p(answer)", Double.NaN, Double.NaN, List.of(new LinePlot.Series("mean log p(answer)", lp))));
        if (hasRanks(r)) panels.add(new LinePlot.Panel("rank", 0, Double.NaN, List.of(new LinePlot.Series("rank of 1st answer token", rank))));
        String sub = "\"" + fact.strip() + "\" at " + k + " depths of a " + r.length() + "-token prompt, " + r.trials()
                + " filler stretch" + (r.trials() == 1 ? "" : "es") + " each (depth 0: right after the start; 1: just before the query)";
        return new LinePlot("Lost in the middle: " + model, sub, "depth of the fact", x, notes, panels);
    }

    private static boolean hasRanks(PositionSweep.Result r) {
        return r.points().stream().allMatch(p -> p.meanRank() >= 0);
    }
}
