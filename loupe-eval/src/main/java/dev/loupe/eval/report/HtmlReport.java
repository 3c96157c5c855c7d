package dev.loupe.eval.report;

import dev.loupe.eval.metric.Estimate;
import dev.loupe.eval.run.RunResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One self-contained HTML page comparing runs side by side: a column per (model) run, a row per (task, metric),
 * each cell the value with its 95% interval drawn as an inline bar. No scripts, no CDN: it opens offline and can be
 * mailed as a file. The best value in a row is bold only when its interval does not overlap the runner-up's.
 */
public final class HtmlReport {
    private HtmlReport() {}

    public static String render(String title, List<RunResult> runs) {
        Map<String, Map<Integer, Estimate>> rows = new LinkedHashMap<>();
        List<String> colOf = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            RunResult r = runs.get(i);
            String col = r.model() + " · " + r.startedAt().replace('T', ' ').replaceAll("\\..*", "");
            colOf.add(col);
            for (Estimate e : r.metrics()) rows.computeIfAbsent(r.task() + " / " + e.metric(), k -> new LinkedHashMap<>()).put(i, e);
        }
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title)).append("</title><style>")
                .append("body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}")
                .append("th,td{border:1px solid #ccc;padding:.4em .7em;text-align:right;vertical-align:top}th{background:#f3f3f3}")
                .append("td.k{text-align:left;font-family:monospace}.ci{color:#666;font-size:12px}")
                .append(".bar{position:relative;height:6px;background:#eee;margin-top:4px;width:160px}")
                .append(".bar span{position:absolute;height:6px;background:#4a7fd0}.bar i{position:absolute;top:-2px;width:2px;height:10px;background:#111}")
                .append(".best{font-weight:bold}").append("</style></head><body><h1>").append(esc(title)).append("</h1>");
        h.append("<table><tr><th>task / metric</th>");
        for (int i = 0; i < runs.size(); i++) {
            h.append("<th>").append(esc(colOf.get(i))).append("<br><span class=\"ci\">").append(runs.get(i).samples())
                    .append(" samples, ").append(runs.get(i).fewshot()).append("-shot</span></th>");
        }
        h.append("</tr>");
        for (var row : rows.entrySet()) {
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (Estimate e : row.getValue().values()) {
                lo = Math.min(lo, finite(e.ciLow(), e.value()));
                hi = Math.max(hi, finite(e.ciHigh(), e.value()));
            }
            Integer best = clearBest(row.getValue());
            h.append("<tr><td class=\"k\">").append(esc(row.getKey())).append("</td>");
            for (int i = 0; i < runs.size(); i++) {
                Estimate e = row.getValue().get(i);
                if (e == null) { h.append("<td>—</td>"); continue; }
                h.append("<td").append(Integer.valueOf(i).equals(best) ? " class=\"best\"" : "").append(">")
                        .append(SummaryTable.num(e.value())).append("<div class=\"ci\">± ").append(SummaryTable.num(e.stderr()))
                        .append(" [").append(SummaryTable.num(e.ciLow())).append(", ").append(SummaryTable.num(e.ciHigh())).append("]</div>")
                        .append(bar(e, lo, hi)).append("</td>");
            }
            h.append("</tr>");
        }
        h.append("</table><p class=\"ci\">Intervals are seeded bootstrap 95% percentile intervals over samples. ↑/↓: ")
                .append("bold marks a best value whose interval does not overlap any other run's.</p></body></html>\n");
        return h.toString();
    }

    private static Integer clearBest(Map<Integer, Estimate> cells) {
        if (cells.size() < 2) return null;
        Integer best = null;
        for (var c : cells.entrySet()) {
            Estimate e = c.getValue();
            if (best == null) { best = c.getKey(); continue; }
            Estimate b = cells.get(best);
            if (e.higherIsBetter() ? e.value() > b.value() : e.value() < b.value()) best = c.getKey();
        }
        Estimate b = cells.get(best);
        for (var c : cells.entrySet()) {
            if (c.getKey().equals(best)) continue;
            Estimate e = c.getValue();
            boolean overlap = !(e.ciHigh() < b.ciLow() || e.ciLow() > b.ciHigh());
            if (overlap || Double.isNaN(e.ciLow()) || Double.isNaN(b.ciLow())) return null;
        }
        return best;
    }

    private static String bar(Estimate e, double lo, double hi) {
        if (!(hi > lo) || Double.isNaN(e.ciLow())) return "";
        double span = hi - lo;
        double a = (e.ciLow() - lo) / span * 100, b = (e.ciHigh() - lo) / span * 100, v = (e.value() - lo) / span * 100;
        return String.format(Locale.ROOT, "<div class=\"bar\"><span style=\"left:%.1f%%;width:%.1f%%\"></span><i style=\"left:%.1f%%\"></i></div>",
                a, Math.max(b - a, 0.5), v);
    }

    private static double finite(double v, double fallback) {
        return Double.isFinite(v) ? v : fallback;
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
