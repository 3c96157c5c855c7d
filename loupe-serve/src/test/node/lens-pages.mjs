// Loads loupe-lens's HTML pages (written by the loupe-lens tests) in Debian's chromium through playwright-core:
// collects console errors and page errors, exercises each page's interaction, saves a screenshot per page.
// Usage: node lens-pages.mjs SCREENSHOT_DIR PAGE.html... Prints one JSON object; exits 1 on any failure.
import { chromium } from "playwright-core";
import { basename } from "node:path";
import { pathToFileURL } from "node:url";

const [shots, ...pages] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"],
});
const results = [];
try {
  for (const file of pages) {
    const page = await browser.newPage({ viewport: { width: 900, height: 560 } });
    const errors = [];
    page.on("pageerror", e => errors.push("pageerror: " + e.message));
    page.on("console", m => { if (m.type() === "error") errors.push("console: " + m.text()); });
    page.on("request", r => { if (!r.url().startsWith("file:")) errors.push("network request: " + r.url()); });
    await page.goto(pathToFileURL(file).href);
    const r = { page: basename(file), errors };
    if (await page.locator("#svg").count()) {
      // Attention page: the head view draws lines; hovering a token isolates it; the model view draws every pattern.
      r.lines = await page.locator("#svg line").count();
      await page.locator("#svg text").nth(2).hover();
      r.focused_lines = await page.locator("#svg line").count();
      await page.click("#modelBtn");
      r.canvases = await page.locator("#modelView canvas").count();
      await page.screenshot({ path: `${shots}/${basename(file, ".html")}-model.png` });
      await page.locator("#modelView canvas").first().click();
      r.after_click_lines = await page.locator("#svg line").count();
      r.head_view_visible = await page.locator("#headView").isVisible();
    } else if (await page.locator("#features").count()) {
      // SAE feature browser: search by id, sort by id, then click the densest feature and read its contexts.
      r.rows = await page.locator("#features tbody tr").count();
      await page.fill("#search", "#7");
      r.filtered = await page.locator("#features tbody tr").count();
      await page.fill("#search", "");
      await page.selectOption("#sort", "id");
      r.first_by_id = Number(await page.locator("#features tbody tr").first().getAttribute("data-id"));
      await page.selectOption("#sort", "density");
      const first = page.locator("#features tbody tr").first();
      r.clicked = Number(await first.getAttribute("data-id"));
      await first.click();
      r.selected = await page.locator("#features tr.sel").count();
      r.contexts = await page.locator("#contexts .ctx").count();
      r.shaded = await page.evaluate(() => [...document.querySelectorAll("#contexts span.t")].filter(s => s.style.background !== "").length);
    } else if (await page.locator("#panels").count()) {
      // Line plot: every point drawn, the table filled, hovering a point shows its value.
      r.panels = await page.locator("svg.plot").count();
      r.points = await page.locator("svg.plot circle.pt").count();
      r.table_rows = await page.locator("#values tr").count();
      await page.locator("svg.plot circle.pt").first().hover();
      r.tooltip = await page.locator("#tip").innerText();
    } else {
      r.cells = await page.locator("#map td").count();
      r.colored = await page.evaluate(() => [...document.querySelectorAll("#map td")].filter(td => td.style.background !== "").length);
      await page.locator("#map td:not(.row)").first().hover();
      r.tooltip = await page.locator("#tip").innerText();
    }
    await page.screenshot({ path: `${shots}/${basename(file, ".html")}.png` });
    results.push(r);
    await page.close();
  }
  console.log(JSON.stringify({ pages: results }));
} finally {
  await browser.close();
}
