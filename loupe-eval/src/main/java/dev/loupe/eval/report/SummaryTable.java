package dev.loupe.eval.report;

import dev.loupe.eval.metric.Estimate;
import dev.loupe.eval.run.RunResult;

import java.util.List;
import java.util.Locale;

/** The terminal table: one line per (run, metric) with value, stderr and 95% interval, like the harness's. */
public final class SummaryTable {
    private SummaryTable() {}

    public static String render(List<RunResult> runs) {
        StringBuilder sb = new StringBuilder();
        String fmt = "%-16s %-24s %5s %-16s %10s %9s  %-21s%n";
        sb.append(String.format(Locale.ROOT, fmt, "task", "model", "n", "metric", "value", "± stderr", "95% CI"));
        for (RunResult r : runs) {
            if (r.metrics().isEmpty()) {
                sb.append(String.format(Locale.ROOT, fmt, r.task(), clip(r.model()), r.samples(), "(outputs only)", "", "", ""));
            }
            for (Estimate e : r.metrics()) {
                sb.append(String.format(Locale.ROOT, fmt, r.task(), clip(r.model()), e.n(), e.metric() + (e.higherIsBetter() ? " ↑" : " ↓"),
                        num(e.value()), num(e.stderr()), "[" + num(e.ciLow()) + ", " + num(e.ciHigh()) + "]"));
            }
        }
        return sb.toString();
    }

    static String num(double v) {
        if (Double.isNaN(v)) return "n/a";
        if (Math.abs(v) >= 1e6) return String.format(Locale.ROOT, "%.4g", v);
        return Math.abs(v) >= 1000 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String clip(String s) {
        return s.length() <= 24 ? s : s.substring(0, 23) + "…";
    }
}
