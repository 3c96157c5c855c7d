package dev.loupe.lens.html;

import java.nio.file.Path;
import java.util.List;

/**
 * Values against one shared x axis, drawn as SVG line charts stacked one panel per quantity (quantities on different
 * scales get their own axis), with a table of every number below. Hovering a point shows its value and its note.
 *
 * @param notes one note per x value for the tooltip and the table (may be null)
 */
public record LinePlot(String title, String subtitle, String xAxis, double[] x, String[] notes, List<Panel> panels) {

    /** One chart: its y axis label, optional fixed bounds (NaN: from the data), and its lines. */
    public record Panel(String yAxis, double yMin, double yMax, List<Series> series) {}

    public record Series(String name, double[] y) {}

    public LinePlot {
        for (Panel p : panels) for (Series s : p.series()) {
            if (s.y().length != x.length) throw new IllegalArgumentException(s.name() + " has " + s.y().length + " values for " + x.length + " x values");
        }
        if (notes != null && notes.length != x.length) throw new IllegalArgumentException(notes.length + " notes for " + x.length + " x values");
    }

    public String toHtml() {
        String body = "<h1>" + HtmlPage.escape(title) + "</h1><p class=\"sub\">" + HtmlPage.escape(subtitle) + "</p>"
                + "<div id=\"panels\"></div><table id=\"values\"></table><div id=\"tip\"></div>";
        return HtmlPage.page(title, CSS, body, this, SCRIPT);
    }

    public void write(Path target) {
        HtmlPage.write(target, toHtml());
    }

    private static final String CSS = """
            svg.plot{display:block;margin:0 0 .6rem}svg.plot text{font-size:11px;fill:#444}svg.plot .axis{stroke:#999}
            svg.plot .grid{stroke:#eee}svg.plot circle{cursor:default}
            #values{border-collapse:collapse;font-size:12px;margin-top:.4rem}#values td,#values th{padding:2px 8px;border:1px solid #eee;text-align:right}
            #values th{background:#fafafa}
            #tip{position:fixed;pointer-events:none;background:#222;color:#fff;padding:4px 7px;border-radius:4px;font-size:12px;display:none}
            """;

    private static final String SCRIPT = """
            const d = DATA;
            const NS = 'http://www.w3.org/2000/svg';
            const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
            const W = 820, H = 140, L = 60, R = 190, T = 10, B = 32;
            const fmt = v => !Number.isFinite(v) ? 'n/a' : (Math.abs(v) >= 1000 ? v.toFixed(0) : String(+v.toPrecision(3)));
            const tip = document.getElementById('tip');
            function el(name, attrs, parent) {
              const e = document.createElementNS(NS, name);
              for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
              parent.appendChild(e);
              return e;
            }
            function ticks(lo, hi) {
              const span = hi - lo, step0 = Math.pow(10, Math.floor(Math.log10(span / 4)));
              const step = [1, 2, 5, 10].map(m => m * step0).find(s => span / s <= 5);
              const out = [];
              for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
              return out;
            }
            const xs = d.x, xlo = Math.min(...xs), xhi = Math.max(...xs) > xlo ? Math.max(...xs) : xlo + 1;
            const px = v => L + (v - xlo) / (xhi - xlo) * (W - L - R);
            for (const p of d.panels) {
              const ys = p.series.flatMap(s => s.y).filter(Number.isFinite);
              let lo = Number.isFinite(p.yMin) ? p.yMin : Math.min(...ys), hi = Number.isFinite(p.yMax) ? p.yMax : Math.max(...ys);
              if (!(hi > lo)) { lo -= 1; hi += 1; }
              const py = v => T + (hi - v) / (hi - lo) * (H - T - B);
              const svg = el('svg', {class: 'plot', width: W, height: H, viewBox: `0 0 ${W} ${H}`}, document.getElementById('panels'));
              for (const v of ticks(lo, hi)) {
                el('line', {class: 'grid', x1: L, x2: W - R, y1: py(v), y2: py(v)}, svg);
                el('text', {x: L - 6, y: py(v) + 4, 'text-anchor': 'end'}, svg).textContent = fmt(v);
              }
              for (const v of xs) el('text', {x: px(v), y: H - B + 15, 'text-anchor': 'middle'}, svg).textContent = fmt(v);
              el('line', {class: 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B}, svg);
              el('line', {class: 'axis', x1: L, x2: L, y1: T, y2: H - B}, svg);
              el('text', {x: (L + W - R) / 2, y: H - 4, 'text-anchor': 'middle'}, svg).textContent = d.xAxis;
              el('text', {x: 12, y: (T + H - B) / 2, transform: `rotate(-90 12 ${(T + H - B) / 2})`, 'text-anchor': 'middle'}, svg).textContent = p.yAxis;
              p.series.forEach((s, si) => {
                const c = COLORS[si % COLORS.length];
                const pts = xs.map((x, i) => [x, s.y[i]]).filter(([, y]) => Number.isFinite(y));
                el('polyline', {points: pts.map(([x, y]) => px(x) + ',' + py(y)).join(' '), fill: 'none', stroke: c, 'stroke-width': 2}, svg);
                xs.forEach((x, i) => {
                  if (!Number.isFinite(s.y[i])) return;
                  const dot = el('circle', {class: 'pt', cx: px(x), cy: py(s.y[i]), r: 4, fill: c}, svg);
                  dot.addEventListener('mousemove', e => {
                    tip.style.display = 'block'; tip.style.left = (e.clientX + 12) + 'px'; tip.style.top = (e.clientY + 12) + 'px';
                    tip.textContent = `${s.name}: ${fmt(s.y[i])} at ${d.xAxis} ${fmt(x)}` + (d.notes ? ` (${d.notes[i]})` : '');
                  });
                  dot.addEventListener('mouseleave', () => { tip.style.display = 'none'; });
                });
                el('rect', {x: W - R + 12, y: T + 4 + 16 * si, width: 10, height: 10, fill: c}, svg);
                el('text', {x: W - R + 26, y: T + 13 + 16 * si}, svg).textContent = s.name;
              });
            }
            const table = document.getElementById('values');
            const head = table.insertRow();
            const cols = [d.xAxis, ...d.panels.flatMap(p => p.series.map(s => s.name)), ...(d.notes ? [''] : [])];
            for (const c of cols) { const th = document.createElement('th'); th.textContent = c; head.appendChild(th); }
            xs.forEach((x, i) => {
              const tr = table.insertRow();
              tr.insertCell().textContent = fmt(x);
              for (const p of d.panels) for (const s of p.series) tr.insertCell().textContent = fmt(s.y[i]);
              if (d.notes) tr.insertCell().textContent = d.notes[i];
            });
            """;
}
