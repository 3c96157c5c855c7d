// A small Markdown renderer for chat replies: fenced code, inline code, headings, lists, quotes, bold, italics,
// links and paragraphs. Everything is HTML-escaped first, so model output can never inject markup; links are
// limited to http(s). Unclosed fences (a reply still streaming) render as code so far.
"use strict";
const Markdown = (() => {
  const escape = s => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

  function inline(text) {
    const parts = text.split(/(`[^`\n]+`)/g);
    return parts.map((p, i) => {
      if (i % 2 === 1) return "<code>" + escape(p.slice(1, -1)) + "</code>";
      return escape(p)
        .replace(/\*\*([^*\n]+)\*\*/g, "<strong>$1</strong>")
        .replace(/(^|[^*])\*([^*\n]+)\*(?!\*)/g, "$1<em>$2</em>")
        .replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g, '<a href="$2" target="_blank" rel="noopener noreferrer">$1</a>');
    }).join("");
  }

  function render(src) {
    const out = [];
    const lines = src.replace(/\r\n/g, "\n").split("\n");
    let para = [];
    let list = null; // "ul" or "ol"
    const flushPara = () => { if (para.length) { out.push("<p>" + inline(para.join("\n")).replace(/\n/g, "<br>") + "</p>"); para = []; } };
    const closeList = () => { if (list) { out.push("</" + list + ">"); list = null; } };
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      const fence = line.match(/^\s*```\s*([\w+-]*)\s*$/);
      if (fence) {
        flushPara(); closeList();
        const code = [];
        for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]); i++) code.push(lines[i]);
        const lang = fence[1] ? ' class="language-' + escape(fence[1]) + '"' : "";
        out.push("<pre><code" + lang + ">" + escape(code.join("\n")) + "</code></pre>");
        continue;
      }
      const heading = line.match(/^(#{1,6})\s+(.*)$/);
      const bullet = line.match(/^\s*[-*+]\s+(.*)$/);
      const numbered = line.match(/^\s*\d+[.)]\s+(.*)$/);
      const quote = line.match(/^>\s?(.*)$/);
      if (heading) { flushPara(); closeList(); out.push("<h" + heading[1].length + ">" + inline(heading[2]) + "</h" + heading[1].length + ">"); }
      else if (bullet || numbered) {
        flushPara();
        const kind = bullet ? "ul" : "ol";
        if (list !== kind) { closeList(); out.push("<" + kind + ">"); list = kind; }
        out.push("<li>" + inline((bullet || numbered)[1]) + "</li>");
      }
      else if (quote) { flushPara(); closeList(); out.push("<blockquote>" + inline(quote[1]) + "</blockquote>"); }
      else if (line.trim() === "") { flushPara(); closeList(); }
      else { closeList(); para.push(line); }
    }
    flushPara(); closeList();
    return out.join("");
  }

  return { render, escape };
})();
if (typeof module !== "undefined") module.exports = Markdown;
