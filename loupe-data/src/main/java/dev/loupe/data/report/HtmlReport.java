package dev.loupe.data.report;

import dev.loupe.data.run.RunSummary;
import dev.loupe.data.step.Example;
import dev.loupe.data.step.StepStats;

import java.util.Locale;
import java.util.Map;

/**
 * A self-contained HTML page (inline CSS, no scripts, no CDN) of what each step removed or changed, with
 * examples. Open it from disk; it works offline.
 */
public final class HtmlReport {
    private HtmlReport() {}

    public static String render(RunSummary s) {
        StringBuilder h = new StringBuilder(1 << 16);
        h.append("<!doctype html><html lang=en><head><meta charset=utf-8><title>Loupe data report</title><style>")
                .append("body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;color:#222}")
                .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}")
                .append("th:first-child,td:first-child{text-align:left}.bar{background:#d33;height:.8em;display:inline-block}")
                .append("pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em;margin:.3em 0;max-height:14em;overflow:auto}")
                .append("details{margin:.4em 0}.after{background:#eef7ee}h2{margin-top:2em;border-bottom:1px solid #ddd}")
                .append("</style></head><body>");
        long in = s.documentsIn(), out = s.documentsOut();
        h.append("<h1>Loupe data report</h1><p>").append(String.format(Locale.ROOT,
                "%,d documents read, %,d written (%.1f%% kept); %d shards (%d resumed); %.1f s on the %s runner.",
                in, out, in == 0 ? 0 : 100.0 * out / in, s.shards(), s.resumedShards(), s.seconds(), esc(s.runner())))
                .append("</p>");
        h.append("<table><tr><th>step</th><th>in</th><th>kept</th><th>dropped</th><th>changed</th><th>share of input removed</th></tr>");
        for (StepStats st : s.steps()) {
            if (st.getName().equals("read") || st.getName().equals("write")) continue;
            long dropped = st.count("dropped");
            double frac = in == 0 ? 0 : (double) dropped / in;
            h.append(String.format(Locale.ROOT,
                    "<tr><td><a href='#%s'>%s</a></td><td>%,d</td><td>%,d</td><td>%,d</td><td>%,d</td><td><span class=bar style='width:%.1fem'></span> %.2f%%</td></tr>",
                    esc(st.getName()), esc(st.getName()), st.count("in"), st.count("kept"), dropped, st.count("changed"),
                    20 * frac, 100 * frac));
        }
        h.append("</table>");
        for (StepStats st : s.steps()) section(h, st);
        h.append("</body></html>\n");
        return h.toString();
    }

    private static void section(StringBuilder h, StepStats st) {
        h.append("<h2 id='").append(esc(st.getName())).append("'>").append(esc(st.getName())).append("</h2><table>");
        for (Map.Entry<String, Long> e : st.getCounters().entrySet()) {
            h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%,d</td></tr>", esc(e.getKey()), e.getValue()));
        }
        h.append("</table>");
        for (Example ex : st.getExamples()) {
            h.append("<details><summary>").append(esc(ex.reason())).append(" — ").append(esc(ex.id())).append("</summary><pre>")
                    .append(esc(ex.before())).append("</pre>");
            if (ex.after() != null) h.append("<pre class=after>").append(esc(ex.after())).append("</pre>");
            h.append("</details>");
        }
    }

    static String esc(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '\'' -> b.append("&#39;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
