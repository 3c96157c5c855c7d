package dev.loupe.lens.html;

import java.nio.file.Path;
import java.util.List;

/**
 * A labelled matrix of numbers shown as a coloured table (logit lens, ablation effects, patching, induction scores).
 * {@code texts}, when not null, is written in the cells instead of the numbers (the logit lens's top tokens);
 * {@code diverging} colours negative values red and positive blue around white, otherwise 0..max is white..blue.
 */
public record Heatmap(String title, String subtitle, String rowAxis, String colAxis, List<String> rows, List<String> cols,
                      double[][] values, String[][] texts, boolean diverging) {

    public Heatmap {
        if (values.length != rows.size()) throw new IllegalArgumentException(values.length + " value rows for " + rows.size() + " labels");
        for (double[] r : values) if (r.length != cols.size()) throw new IllegalArgumentException("row of " + r.length + " for " + cols.size() + " columns");
    }

    public String toHtml() {
        String body = "<h1>" + HtmlPage.escape(title) + "</h1><p class=\"sub\">" + HtmlPage.escape(subtitle) + "</p>"
                + "<div id=\"legend\"></div><table id=\"map\"></table><div id=\"tip\"></div>";
        return HtmlPage.page(title, CSS, body, this, SCRIPT);
    }

    public void write(Path target) {
        HtmlPage.write(target, toHtml());
    }

    private static final String CSS = """
            table{border-collapse:collapse;font-size:12px}td,th{padding:3px 5px;border:1px solid #eee;text-align:center}
            th{background:#fafafa;font-weight:600}th.tok{font-weight:400}td{min-width:2.2rem;cursor:default}
            td.row{text-align:right;background:#fafafa;font-weight:600}#legend{margin:.4rem 0 .8rem;font-size:12px;color:#555}
            #tip{position:fixed;pointer-events:none;background:#222;color:#fff;padding:4px 7px;border-radius:4px;font-size:12px;display:none}
            """;

    private static final String SCRIPT = """
            const d = DATA;
            let max = 0;
            for (const r of d.values) for (const v of r) if (Number.isFinite(v)) max = Math.max(max, Math.abs(v));
            if (max === 0) max = 1;
            function color(v) {
              if (!Number.isFinite(v)) return '#ddd';
              const a = Math.min(1, Math.abs(v) / max);
              if (d.diverging && v < 0) return `rgba(214,39,40,${a.toFixed(3)})`;
              return `rgba(31,119,180,${a.toFixed(3)})`;
            }
            const fmt = v => Number.isFinite(v) ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3)) : 'n/a';
            const table = document.getElementById('map');
            const head = table.insertRow();
            const corner = document.createElement('th');
            corner.textContent = d.rowAxis + ' / ' + d.colAxis;
            head.appendChild(corner);
            for (const c of d.cols) { const th = document.createElement('th'); th.className = 'tok'; th.textContent = c; head.appendChild(th); }
            const tip = document.getElementById('tip');
            d.values.forEach((row, i) => {
              const tr = table.insertRow();
              const lab = tr.insertCell(); lab.className = 'row'; lab.textContent = d.rows[i];
              row.forEach((v, j) => {
                const td = tr.insertCell();
                td.style.background = color(v);
                if (Math.abs(v) / max > 0.6) td.style.color = '#fff';
                td.textContent = d.texts ? d.texts[i][j] : fmt(v);
                if (d.texts) td.className = 'tok';
                td.addEventListener('mousemove', e => {
                  tip.style.display = 'block'; tip.style.left = (e.clientX + 12) + 'px'; tip.style.top = (e.clientY + 12) + 'px';
                  tip.textContent = `${d.rows[i]}, ${d.cols[j]}: ${fmt(v)}` + (d.texts ? `  (${d.texts[i][j]})` : '');
                });
                td.addEventListener('mouseleave', () => { tip.style.display = 'none'; });
              });
            });
            document.getElementById('legend').textContent = d.diverging
              ? `blue: positive, red: negative; full colour at |value| = ${fmt(max)}`
              : `colour: 0 (white) to ${fmt(max)} (blue)`;
            """;
}
