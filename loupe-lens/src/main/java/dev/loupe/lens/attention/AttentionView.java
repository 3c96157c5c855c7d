package dev.loupe.lens.attention;

import dev.loupe.core.tokenizer.Tokenizer;
import dev.loupe.lens.HookedModel;
import dev.loupe.lens.TokenText;
import dev.loupe.lens.cache.ActivationCache;
import dev.loupe.lens.html.HtmlPage;

import java.nio.file.Path;

/**
 * Attention patterns of every layer and head for one prompt, as one interactive page after BertViz: a head view
 * (lines from each token to the tokens it attends to, one colour per head, hover a token to isolate it) and a
 * model view (a thumbnail of every layer x head pattern; click one to open it in the head view).
 *
 * @param patterns [layer][head][query][key], rounded to 3 decimals for the page
 */
public record AttentionView(String model, String[] tokens, float[][][][] patterns) {

    public static AttentionView of(HookedModel hm, Tokenizer tok, int[] ids, String modelName) {
        ActivationCache c = hm.runWithCache(ids, n -> n.endsWith("attn.hook_pattern")).cache();
        int L = hm.config().layers(), H = hm.config().heads(), T = ids.length;
        float[][][][] p = new float[L][H][T][T];
        for (int l = 0; l < L; l++) {
            float[] a = c.get("blocks." + l + ".attn.hook_pattern").data();
            for (int h = 0; h < H; h++)
                for (int q = 0; q < T; q++)
                    for (int k = 0; k < T; k++) p[l][h][q][k] = Math.round(a[(h * T + q) * T + k] * 1000f) / 1000f;
        }
        return new AttentionView(modelName, TokenText.labels(tok, ids), p);
    }

    public String toHtml() {
        String body = """
                <h1>Attention: MODEL</h1>
                <p class="sub">Head view: each line joins a token (left) to a token it attends to (right), opacity = attention weight;
                hover a token to isolate it, click the coloured squares to choose heads. Model view: every layer (row) and head (column); click a pattern to open it.</p>
                <div id="controls"><button id="headBtn" class="on">Head view</button><button id="modelBtn">Model view</button>
                <label id="layerLabel">Layer <select id="layer"></select></label><span id="heads"></span></div>
                <div id="headView"><svg id="svg"></svg></div>
                <div id="modelView" hidden></div>
                """.replace("MODEL", HtmlPage.escape(model));
        return HtmlPage.page("Attention: " + model, CSS, body, this, SCRIPT);
    }

    public void write(Path target) {
        HtmlPage.write(target, toHtml());
    }

    private static final String CSS = """
            #controls{display:flex;gap:.8rem;align-items:center;margin-bottom:.8rem;flex-wrap:wrap}
            button{border:1px solid #bbb;background:#f6f6f6;padding:.3rem .7rem;border-radius:4px;cursor:pointer}
            button.on{background:#1f77b4;color:#fff;border-color:#1f77b4}
            .sw{display:inline-block;width:16px;height:16px;margin:0 2px;border-radius:3px;cursor:pointer;vertical-align:middle;border:2px solid transparent}
            .sw.off{opacity:.2}svg line{pointer-events:none}svg text{font:13px ui-monospace,Menlo,Consolas,monospace;cursor:default}
            #modelView{display:grid;gap:4px;align-items:center}#modelView canvas{border:1px solid #ddd;cursor:pointer;image-rendering:pixelated}
            #modelView .lab{font-size:11px;color:#555;text-align:center}
            """;

    private static final String SCRIPT = """
            const L = DATA.patterns.length, H = DATA.patterns[0].length, T = DATA.tokens.length;
            const COLORS = ['#1f77b4','#ff7f0e','#2ca02c','#d62728','#9467bd','#8c564b','#e377c2','#7f7f7f','#bcbd22','#17becf'];
            const headColor = h => COLORS[h % COLORS.length];
            let layer = 0, active = new Set([...Array(H).keys()]), focus = -1;
            const sel = document.getElementById('layer');
            for (let l = 0; l < L; l++) { const o = document.createElement('option'); o.value = l; o.textContent = l; sel.appendChild(o); }
            sel.onchange = () => { layer = +sel.value; drawHeads(); };
            const heads = document.getElementById('heads');
            for (let h = 0; h < H; h++) {
              const s = document.createElement('span'); s.className = 'sw'; s.style.background = headColor(h); s.title = 'head ' + h;
              s.onclick = () => { active.has(h) ? active.delete(h) : active.add(h); s.classList.toggle('off', !active.has(h)); drawHeads(); };
              heads.appendChild(s);
            }
            const NS = 'http://www.w3.org/2000/svg', ROW = 22, LEFT = 10, GAP = 260;
            const width = Math.max(...DATA.tokens.map(t => t.length)) * 8 + 20;
            function el(name, attrs, text) {
              const e = document.createElementNS(NS, name);
              for (const k in attrs) e.setAttribute(k, attrs[k]);
              if (text !== undefined) e.textContent = text;
              return e;
            }
            function drawHeads() {
              const svg = document.getElementById('svg');
              svg.innerHTML = '';
              svg.setAttribute('width', LEFT + 2 * width + GAP + 10);
              svg.setAttribute('height', T * ROW + 20);
              const xl = LEFT + width, xr = LEFT + width + GAP;
              svg.appendChild(el('g', {id: 'lines'}));
              DATA.tokens.forEach((t, i) => {
                const a = el('text', {x: xl, y: 16 + i * ROW, 'text-anchor': 'end'}, t);
                a.onmouseenter = () => { focus = i; drawLines(); };
                a.onmouseleave = () => { focus = -1; drawLines(); };
                svg.appendChild(a);
                svg.appendChild(el('text', {x: xr, y: 16 + i * ROW}, t));
              });
              drawLines();
            }
            // Only the lines change on hover, so the token under the pointer stays the same element.
            function drawLines() {
              const g = document.getElementById('lines');
              g.innerHTML = '';
              const xl = LEFT + width, xr = LEFT + width + GAP;
              for (const h of active) {
                const P = DATA.patterns[layer][h];
                for (let q = 0; q < T; q++) {
                  if (focus >= 0 && q !== focus) continue;
                  for (let k = 0; k <= q; k++) {
                    const w = P[q][k];
                    if (w < 0.01) continue;
                    g.appendChild(el('line', {x1: xl + 4, y1: 16 + q * ROW - 4, x2: xr - 4, y2: 16 + k * ROW - 4,
                      stroke: headColor(h), 'stroke-width': 2, 'stroke-opacity': (w * (focus >= 0 ? 1 : 0.8)).toFixed(3)}));
                  }
                }
              }
            }
            function drawModel() {
              const mv = document.getElementById('modelView');
              mv.innerHTML = '';
              mv.style.gridTemplateColumns = `3rem repeat(${H}, auto)`;
              mv.appendChild(document.createElement('div'));
              for (let h = 0; h < H; h++) { const d = document.createElement('div'); d.className = 'lab'; d.textContent = 'head ' + h; mv.appendChild(d); }
              const px = Math.max(2, Math.floor(96 / T));
              for (let l = 0; l < L; l++) {
                const lab = document.createElement('div'); lab.className = 'lab'; lab.textContent = 'layer ' + l; mv.appendChild(lab);
                for (let h = 0; h < H; h++) {
                  const c = document.createElement('canvas'); c.width = T * px; c.height = T * px; c.title = `layer ${l}, head ${h}`;
                  const g = c.getContext('2d'), P = DATA.patterns[l][h];
                  for (let q = 0; q < T; q++) for (let k = 0; k < T; k++) {
                    g.fillStyle = `rgba(31,119,180,${P[q][k]})`; g.fillRect(k * px, q * px, px, px);
                  }
                  c.onclick = () => { layer = l; sel.value = l; active = new Set([h]);
                    [...heads.children].forEach((s, i) => s.classList.toggle('off', i !== h)); show('head'); };
                  mv.appendChild(c);
                }
              }
            }
            function show(v) {
              document.getElementById('headView').hidden = v !== 'head';
              document.getElementById('modelView').hidden = v !== 'model';
              document.getElementById('layerLabel').hidden = v !== 'head';
              heads.hidden = v !== 'head';
              document.getElementById('headBtn').classList.toggle('on', v === 'head');
              document.getElementById('modelBtn').classList.toggle('on', v === 'model');
              if (v === 'head') drawHeads(); else drawModel();
            }
            document.getElementById('headBtn').onclick = () => show('head');
            document.getElementById('modelBtn').onclick = () => show('model');
            show('head');
            """;
}
