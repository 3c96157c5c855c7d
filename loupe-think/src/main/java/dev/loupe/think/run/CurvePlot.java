package dev.loupe.think.run;

import java.util.List;
import java.util.Locale;

/**
 * The inference-time scaling curve as a self-contained SVG: accuracy (y) against compute per problem (x, log2
 * scale), one line per strategy. No library: a line chart is a few dozen elements.
 */
public final class CurvePlot {
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2"};
    private static final int W = 720, H = 440, LEFT = 70, RIGHT = 180, TOP = 40, BOTTOM = 60;

    /** One strategy's points: x = compute (tokens generated per problem, or N), y = accuracy in [0, 1]. */
    public record Series(String name, List<double[]> points) {}

    private CurvePlot() {}

    public static String svg(String title, String xLabel, List<Series> series) {
        double minX = Double.MAX_VALUE, maxX = 0;
        for (Series s : series) {
            for (double[] p : s.points()) {
                minX = Math.min(minX, Math.max(p[0], 1e-9));
                maxX = Math.max(maxX, p[0]);
            }
        }
        if (maxX <= 0) {
            minX = 1;
            maxX = 2;
        }
        double lo = Math.floor(log2(minX)), hi = Math.ceil(log2(maxX));
        if (hi <= lo) hi = lo + 1;
        int pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n", W, H));
        b.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"15\">%s</text>%n", LEFT, esc(title)));
        for (int i = 0; i <= 10; i += 2) {   // y grid: accuracy 0..1
            double y = TOP + ph - i / 10.0 * ph;
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", LEFT, y, LEFT + pw, y));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>%n", LEFT - 6, y + 4, i / 10.0));
        }
        for (double e = lo; e <= hi; e++) {   // x grid: powers of two
            double x = LEFT + (e - lo) / (hi - lo) * pw;
            b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n", x, TOP, x, TOP + ph));
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x, TOP + ph + 18, fmt(Math.pow(2, e))));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s (log scale)</text>%n", LEFT + pw / 2, H - 16, esc(xLabel)));
        b.append(String.format(Locale.ROOT, "<text transform=\"translate(18 %d) rotate(-90)\" text-anchor=\"middle\">accuracy</text>%n", TOP + ph / 2));
        for (int si = 0; si < series.size(); si++) {
            Series s = series.get(si);
            String color = COLORS[si % COLORS.length];
            StringBuilder path = new StringBuilder();
            for (double[] p : s.points()) {
                double x = LEFT + (log2(Math.max(p[0], 1e-9)) - lo) / (hi - lo) * pw;
                double y = TOP + ph - p[1] * ph;
                path.append(path.isEmpty() ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", x, y));
                b.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>%n", x, y, color));
            }
            b.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n", path, color));
            int ly = TOP + 10 + si * 20;
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>%n", W - RIGHT + 15, ly, W - RIGHT + 35, ly, color));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", W - RIGHT + 40, ly + 4, esc(s.name())));
        }
        b.append("</svg>\n");
        return b.toString();
    }

    private static double log2(double v) {
        return Math.log(v) / Math.log(2);
    }

    private static String fmt(double v) {
        return v >= 1 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2g", v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
