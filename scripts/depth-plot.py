#!/usr/bin/env python3
"""Plot `loupe bench -d ... --json` runs: tg tokens/s and resident memory against the cache depth, as one SVG.

usage: scripts/depth-plot.py OUT.svg TITLE LABEL=RUN.json [LABEL=RUN.json ...]

Each RUN.json is the JSON array `loupe bench --json` prints; the tg rows are plotted (depth on a log2 axis, 0 at the
left edge), tokens/s in the upper panel and RSS (MiB) in the lower. Standard library only.
"""
import json
import math
import sys

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
W, H, L, R = 720, 560, 70, 170
PANELS = [("tokens/s (tg)", 40, 250, "tokens_per_s"), ("RSS (MiB)", 310, 500, "rss_bytes")]


def xpos(depth, depths):
    top = math.log2(max(depths))
    v = 0 if depth == 0 else math.log2(depth) - 9  # 512 -> 0; depth 0 gets its own slot at the left
    span = top - 9 + 1
    return L + (W - L - R) * (v + 1) / span


def main():
    out, title, runs = sys.argv[1], sys.argv[2], []
    for arg in sys.argv[3:]:
        label, path = arg.split("=", 1)
        rows = [r for r in json.load(open(path)) if r["test"].startswith("tg")]
        runs.append((label, rows))
    depths = sorted({r["depth"] for _, rows in runs for r in rows})
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>', f'<text x="{L}" y="22" font-size="15">{title}</text>']
    for name, y0, y1, key in PANELS:
        scale = (lambda v: v / 1048576) if key == "rss_bytes" else (lambda v: v)
        top = max(scale(r[key]) for _, rows in runs for r in rows) * 1.1
        step = 10 ** math.floor(math.log10(top / 4)) if top > 0 else 1
        step *= 2 if top / step > 8 else 1
        v = 0.0
        while v <= top:
            y = y1 - (y1 - y0) * v / top
            svg.append(f'<line x1="{L}" y1="{y:.1f}" x2="{W - R}" y2="{y:.1f}" stroke="#ddd"/>')
            svg.append(f'<text x="{L - 6}" y="{y + 4:.1f}" text-anchor="end">{v:g}</text>')
            v += step
        svg.append(f'<text x="14" y="{(y0 + y1) / 2:.0f}" transform="rotate(-90 14 {(y0 + y1) / 2:.0f})" text-anchor="middle">{name}</text>')
        for d in depths:
            x = xpos(d, depths)
            svg.append(f'<line x1="{x:.1f}" y1="{y0}" x2="{x:.1f}" y2="{y1}" stroke="#eee"/>')
            if key == "rss_bytes":
                svg.append(f'<text x="{x:.1f}" y="{y1 + 16}" text-anchor="middle">{d // 1024}k</text>' if d >= 1024
                           else f'<text x="{x:.1f}" y="{y1 + 16}" text-anchor="middle">{d}</text>')
        for i, (label, rows) in enumerate(runs):
            c = COLORS[i % len(COLORS)]
            pts = [(xpos(r["depth"], depths), y1 - (y1 - y0) * scale(r[key]) / top) for r in sorted(rows, key=lambda r: r["depth"])]
            svg.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>' % (c, " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)))
            for x, y in pts:
                svg.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{c}"/>')
    svg.append(f'<text x="{(L + W - R) / 2:.0f}" y="{H - 24}" text-anchor="middle">tokens already in the KV cache (depth)</text>')
    for i, (label, _) in enumerate(runs):
        y = 50 + 18 * i
        svg.append(f'<line x1="{W - R + 14}" y1="{y}" x2="{W - R + 34}" y2="{y}" stroke="{COLORS[i % len(COLORS)]}" stroke-width="2"/>')
        svg.append(f'<text x="{W - R + 40}" y="{y + 4}">{label}</text>')
    svg.append("</svg>")
    open(out, "w").write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main()
