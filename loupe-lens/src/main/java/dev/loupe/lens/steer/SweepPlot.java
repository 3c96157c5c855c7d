package dev.loupe.lens.steer;

import dev.loupe.lens.html.LinePlot;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The sweep as a self-contained page (lens's {@link LinePlot}): one chart per measured quantity (target probability,
 * logit difference, loss) against the coefficient, the greedy continuation of each coefficient as its note (in the
 * tooltip and the table).
 */
public final class SweepPlot {
    private SweepPlot() {}

    public static LinePlot plot(List<SteeringSweep.Row> rows, String title, String subtitle) {
        int n = rows.size();
        double[] x = new double[n];
        String[] notes = new String[n];
        for (int i = 0; i < n; i++) {
            x[i] = rows.get(i).coef();
            notes[i] = rows.get(i).sample();
        }
        List<LinePlot.Panel> panels = new ArrayList<>();
        addPanel(panels, rows, "p(target tokens)", 0);
        addPanel(panels, rows, "logit diff (targets - foils)", 1);
        addPanel(panels, rows, "loss on the text (nats)", 2);
        return new LinePlot(title, subtitle, "coefficient", x, notes, panels);
    }

    public static void write(Path file, List<SteeringSweep.Row> rows, String title, String subtitle) {
        plot(rows, title, subtitle).write(file);
    }

    private static void addPanel(List<LinePlot.Panel> out, List<SteeringSweep.Row> rows, String name, int which) {
        double[] y = new double[rows.size()];
        for (int i = 0; i < y.length; i++) {
            SteeringSweep.Row r = rows.get(i);
            y[i] = which == 0 ? r.targetProb() : which == 1 ? r.logitDiff() : r.loss();
            if (Double.isNaN(y[i])) return; // not measured in this sweep
        }
        out.add(new LinePlot.Panel(name, Double.NaN, Double.NaN, List.of(new LinePlot.Series(name, y))));
    }
}
