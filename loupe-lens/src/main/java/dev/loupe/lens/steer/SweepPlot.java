package dev.loupe.lens.steer;

import dev.loupe.lens.html.HtmlPage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sweep as a self-contained page: one SVG line chart per measured quantity (target probability, logit
 * difference, loss) against the coefficient, a tooltip on each point, and the greedy continuations as a table.
 */
public final class SweepPlot {
    private SweepPlot() {}

    public static String html(List<SteeringSweep.Row> rows, String title, String subtitle) {
        List<Map<String, Object>> series = new ArrayList<>();
        addSeries(series, rows, "p(target tokens)", 0);
        addSeries(series, rows, "logit diff (targets - foils)", 1);
        addSeries(series, rows, "loss on the text (nats)", 2);
        List<Object> coefs = new ArrayList<>();
        List<String> samples = new ArrayList<>();
        for (SteeringSweep.Row r : rows) {
            coefs.add(r.coef());
            samples.add(r.sample());
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("coefs", coefs);
        data.put("series", series);
        data.put("samples", samples);
        String body = "<h1>" + HtmlPage.escape(title) + "</h1><p class=\"sub\">" + HtmlPage.escape(subtitle) + "</p>"
                + "<div id=\"plot\"></div><table id=\"samples\"></table><div id=\"tip\"></div>";
        return HtmlPage.page(title, CSS, body, data, SCRIPT);
    }

    public static void write(Path file, List<SteeringSweep.Row> rows, String title, String subtitle) {
        HtmlPage.write(file, html(rows, title, subtitle));
    }

    private static void addSeries(List<Map<String, Object>> out, List<SteeringSweep.Row> rows, String name, int which) {
        List<Double> ys = new ArrayList<>();
        for (SteeringSweep.Row r : rows) {
            double y = which == 0 ? r.targetProb() : which == 1 ? r.logitDiff() : r.loss();
            if (Double.isNaN(y)) return; // not measured in this sweep
            ys.add(y);
        }
        out.add(Map.of("name", name, "ys", ys));
    }

    private static final String CSS = """
            #plot{display:flex;flex-wrap:wrap;gap:1rem}.chart{font-size:11px}.chart h2{font-size:.95rem;margin:.2rem 0}
            svg text{font-size:10px;fill:#444}circle.pt{fill:#1f77b4;cursor:default}circle.pt:hover{fill:#d62728}
            table{border-collapse:collapse;font-size:12px;margin-top:1rem}td,th{padding:3px 6px;border:1px solid #eee;text-align:left}
            th{background:#fafafa}td.tok{white-space:pre-wrap;font-family:ui-monospace,Menlo,Consolas,monospace}
            #tip{position:fixed;pointer-events:none;background:#222;color:#fff;padding:4px 7px;border-radius:4px;font-size:12px;display:none}
            """;

    private static final String SCRIPT = """
            const NS = 'http://www.w3.org/2000/svg';
            const W = 380, H = 230, L = 52, R = 12, T = 10, B = 34;
            const tip = document.getElementById('tip');
            const fmt = v => Number.isInteger(v) || Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3);
            function el(name, attrs, parent) {
              const e = document.createElementNS(NS, name);
              for (const k in attrs) e.setAttribute(k, attrs[k]);
              parent.appendChild(e);
              return e;
            }
            function chart(s) {
              const box = document.createElement('div'); box.className = 'chart';
              const h = document.createElement('h2'); h.textContent = s.name; box.appendChild(h);
              const svg = el('svg', {width: W, height: H, viewBox: `0 0 ${W} ${H}`}, box);
              const xs = DATA.coefs;
              let x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...s.ys), y1 = Math.max(...s.ys);
              if (x0 === x1) { x0 -= 1; x1 += 1; }
              if (y0 === y1) { y0 -= Math.abs(y0) * 0.1 || 1; y1 += Math.abs(y1) * 0.1 || 1; }
              const px = x => L + (x - x0) / (x1 - x0) * (W - L - R);
              const py = y => T + (1 - (y - y0) / (y1 - y0)) * (H - T - B);
              el('line', {x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: '#999'}, svg);
              el('line', {x1: L, y1: T, x2: L, y2: H - B, stroke: '#999'}, svg);
              for (const x of xs) el('text', {x: px(x), y: H - B + 14, 'text-anchor': 'middle'}, svg).textContent = fmt(x);
              el('text', {x: (L + W - R) / 2, y: H - 4, 'text-anchor': 'middle'}, svg).textContent = 'coefficient';
              for (const y of [y0, (y0 + y1) / 2, y1]) el('text', {x: L - 4, y: py(y) + 3, 'text-anchor': 'end'}, svg).textContent = fmt(y);
              el('polyline', {points: xs.map((x, i) => px(x) + ',' + py(s.ys[i])).join(' '), fill: 'none', stroke: '#1f77b4', 'stroke-width': 1.5}, svg);
              xs.forEach((x, i) => {
                const c = el('circle', {cx: px(x), cy: py(s.ys[i]), r: 4, class: 'pt'}, svg);
                c.addEventListener('mousemove', e => {
                  tip.style.display = 'block'; tip.style.left = (e.clientX + 12) + 'px'; tip.style.top = (e.clientY + 12) + 'px';
                  tip.textContent = `coef ${fmt(x)}: ${s.name} = ${fmt(s.ys[i])}`;
                });
                c.addEventListener('mouseleave', () => { tip.style.display = 'none'; });
              });
              return box;
            }
            const plot = document.getElementById('plot');
            for (const s of DATA.series) plot.appendChild(chart(s));
            const table = document.getElementById('samples');
            const head = table.insertRow();
            for (const t of ['coefficient', 'greedy continuation']) { const th = document.createElement('th'); th.textContent = t; head.appendChild(th); }
            DATA.coefs.forEach((x, i) => {
              const tr = table.insertRow();
              tr.insertCell().textContent = fmt(x);
              const td = tr.insertCell(); td.className = 'tok'; td.textContent = DATA.samples[i];
            });
            """;
}
