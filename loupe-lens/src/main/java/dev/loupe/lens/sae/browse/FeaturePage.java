package dev.loupe.lens.sae.browse;

import dev.loupe.core.tokenizer.Tokenizer;
import dev.loupe.lens.TokenText;
import dev.loupe.lens.html.HtmlPage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The feature browser as one self-contained page: a searchable, sortable list of features on the left; clicking one
 * shows its density, activations, the tokens its decoder direction promotes and suppresses, and its top contexts with
 * every token shaded by the feature's activation on it. Token ids are written once, with their labels in a table.
 */
public final class FeaturePage {
    private FeaturePage() {}

    record Ctx(int s, int p, float v, int[] t, float[] a, int c) {}

    record Feat(int id, long active, double density, double mean, float max, int[] up, float[] upBy, int[] down, float[] downBy, List<Ctx> ctx) {}

    record Data(String title, String subtitle, Map<Integer, String> labels, List<Feat> features) {}

    public static String toHtml(FeatureBrowser.Result r, Tokenizer tok) {
        Map<Integer, String> labels = new TreeMap<>();
        List<Feat> feats = new ArrayList<>();
        for (FeatureStats.Feature f : r.features()) {
            LogitEffects.Effects e = r.effects()[f.id()];
            List<Ctx> ctx = new ArrayList<>();
            for (TopContexts.Context c : f.contexts()) {
                ctx.add(new Ctx(c.sequence(), c.position(), c.value(), c.tokens(), c.activations(), c.center()));
                for (int t : c.tokens()) labels.computeIfAbsent(t, id -> TokenText.label(tok, id));
            }
            for (int t : e.promoted()) labels.computeIfAbsent(t, id -> TokenText.label(tok, id));
            for (int t : e.suppressed()) labels.computeIfAbsent(t, id -> TokenText.label(tok, id));
            feats.add(new Feat(f.id(), f.active(), f.density(), f.meanActive(), f.max(), e.promoted(), e.promotedBy(), e.suppressed(), e.suppressedBy(), ctx));
        }
        String title = "SAE features: " + r.model() + " " + r.hook();
        String sub = r.features().size() + " features over " + r.tokens() + " tokens in " + r.sequences()
                + " sequences; click a feature for its top contexts (tokens shaded by its activation)";
        String body = "<h1>" + HtmlPage.escape(title) + "</h1><p class=\"sub\">" + HtmlPage.escape(sub) + "</p>"
                + "<div id=\"wrap\"><div id=\"side\"><div id=\"controls\"><input id=\"search\" placeholder=\"token, or #id\">"
                + "<select id=\"sort\"><option value=\"density\">density, high first</option><option value=\"density-asc\">density, low first</option>"
                + "<option value=\"max\">max activation</option><option value=\"id\">feature id</option></select></div>"
                + "<div id=\"count\"></div><div id=\"listbox\"><table id=\"features\"><thead><tr><th>#</th><th>density</th><th>max</th><th>promotes</th></tr></thead>"
                + "<tbody></tbody></table></div></div><div id=\"detail\"><p class=\"sub\">Click a feature.</p></div></div>";
        return HtmlPage.page(title, CSS, body, new Data(title, sub, labels, feats), SCRIPT);
    }

    public static void write(FeatureBrowser.Result r, Tokenizer tok, Path target) {
        HtmlPage.write(target, toHtml(r, tok));
    }

    private static final String CSS = """
            #wrap{display:flex;gap:1.2rem;align-items:flex-start}#side{width:330px;flex:none}
            #controls{display:flex;gap:.4rem;margin-bottom:.4rem}#search{flex:1;padding:3px 5px}#count{font-size:12px;color:#555;margin:.2rem 0}
            #listbox{max-height:440px;overflow-y:auto;border:1px solid #eee}
            #features{border-collapse:collapse;font-size:12px;width:100%}#features td,#features th{padding:2px 5px;text-align:left}
            #features th{background:#fafafa;position:sticky;top:0}#features tr.feat{cursor:pointer}#features tr.feat:hover{background:#eef5fb}
            #features tr.sel{background:#d6e9f8}.bar{display:inline-block;height:8px;background:#1f77b4;margin-right:4px;vertical-align:middle}
            #detail{flex:1;min-width:0}#detail h2{font-size:1.1rem;margin:.1rem 0 .3rem}.stats{font-size:13px;color:#333;margin-bottom:.5rem}
            .chips{font-size:12px;margin:.2rem 0}.chip{display:inline-block;margin:1px 3px;padding:1px 5px;border-radius:3px}
            .up{background:#dbeafe}.down{background:#fde2e2}.ctx{font-size:12px;margin:3px 0;padding:3px 5px;border-bottom:1px solid #f0f0f0;white-space:pre-wrap}
            .ctx .v{color:#777;display:inline-block;width:3.5rem;font-family:system-ui,sans-serif}.ctx span.t{border-radius:2px}
            .ctx span.max{outline:1.5px solid #c2410c}
            """;

    private static final String SCRIPT = """
            const d = DATA;
            const label = t => d.labels[t] ?? ('<' + t + '>');
            const fmt = v => v === 0 ? '0' : (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));
            const pct = v => (100 * v).toPrecision(3) + '%';
            const tbody = document.querySelector('#features tbody');
            const detail = document.getElementById('detail');
            let maxDensity = 0;
            for (const f of d.features) maxDensity = Math.max(maxDensity, f.density);
            let selected = -1;
            function matches(f, q) {
              if (!q) return true;
              if (q.startsWith('#')) return String(f.id) === q.slice(1);
              if (String(f.id) === q) return true;
              const ql = q.toLowerCase();
              const has = t => label(t).toLowerCase().includes(ql);
              return f.up.some(has) || f.ctx.some(c => has(c.t[c.c]));
            }
            function sorted(list) {
              const by = document.getElementById('sort').value;
              const cmp = {
                'density': (a, b) => b.density - a.density || a.id - b.id,
                'density-asc': (a, b) => a.density - b.density || a.id - b.id,
                'max': (a, b) => b.max - a.max || a.id - b.id,
                'id': (a, b) => a.id - b.id,
              }[by];
              return [...list].sort(cmp);
            }
            function renderList() {
              const q = document.getElementById('search').value.trim();
              const shown = sorted(d.features.filter(f => matches(f, q)));
              tbody.textContent = '';
              for (const f of shown) {
                const tr = tbody.insertRow();
                tr.className = 'feat' + (f.id === selected ? ' sel' : '');
                tr.dataset.id = f.id;
                tr.insertCell().textContent = f.id;
                const dc = tr.insertCell();
                const bar = document.createElement('span');
                bar.className = 'bar';
                bar.style.width = (maxDensity > 0 ? Math.max(1, 50 * f.density / maxDensity) : 0) + 'px';
                dc.append(bar, pct(f.density));
                tr.insertCell().textContent = fmt(f.max);
                const top = tr.insertCell();
                top.className = 'tok';
                top.textContent = f.active > 0 ? f.up.slice(0, 3).map(label).join(' ') : '(dead)';
                tr.addEventListener('click', () => show(f.id));
              }
              document.getElementById('count').textContent = shown.length + ' of ' + d.features.length + ' features';
            }
            function chips(cls, ids, vals) {
              const div = document.createElement('div');
              div.className = 'chips';
              div.append(cls === 'up' ? 'promotes: ' : 'suppresses: ');
              ids.forEach((t, i) => {
                const s = document.createElement('span');
                s.className = 'chip tok ' + cls;
                s.textContent = label(t) + ' ' + (vals[i] >= 0 ? '+' : '') + vals[i].toFixed(2);
                div.append(s);
              });
              return div;
            }
            function show(id) {
              selected = id;
              const f = d.features.find(x => x.id === id);
              for (const tr of tbody.rows) tr.classList.toggle('sel', Number(tr.dataset.id) === id);
              detail.textContent = '';
              const h = document.createElement('h2');
              h.textContent = 'Feature ' + f.id;
              const st = document.createElement('div');
              st.className = 'stats';
              st.textContent = `density ${pct(f.density)} (${f.active} tokens), mean when active ${fmt(f.mean)}, max ${fmt(f.max)}`;
              detail.append(h, st, chips('up', f.up, f.upBy), chips('down', f.down, f.downBy));
              const box = document.createElement('div');
              box.id = 'contexts';
              if (f.ctx.length === 0) box.textContent = 'This feature fired on no token of the corpus.';
              for (const c of f.ctx) {
                const line = document.createElement('div');
                line.className = 'ctx tok';
                const v = document.createElement('span');
                v.className = 'v';
                v.textContent = fmt(c.v);
                line.append(v);
                c.t.forEach((t, i) => {
                  const s = document.createElement('span');
                  s.className = 't' + (i === c.c ? ' max' : '');
                  s.textContent = label(t).replaceAll('\\u00b7', ' ');
                  const a = f.max > 0 ? c.a[i] / f.max : 0;
                  if (c.a[i] > 0) s.style.background = `rgba(249,115,22,${Math.min(1, a).toFixed(3)})`;
                  s.title = `${label(t)}: ${fmt(c.a[i])}`;
                  line.append(s);
                });
                box.append(line);
              }
              detail.append(box);
            }
            document.getElementById('search').addEventListener('input', renderList);
            document.getElementById('sort').addEventListener('change', renderList);
            renderList();
            """;
}
