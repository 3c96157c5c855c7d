// Drives the chat page in Debian's chromium through playwright-core: sends a message and sees the streamed reply,
// then starts an endless reply and stops it. Usage: node chat-page.mjs BASE_URL SCREENSHOT.png
// Prints one JSON object; exits 1 on any failure.
import { chromium } from "playwright-core";

const [base, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
  const errors = [];
  page.on("pageerror", e => errors.push(e.message));
  await page.goto(base + "/");
  await page.waitForSelector("#model option", { state: "attached" });

  await page.fill("#temperature", "0");
  await page.fill("#max_tokens", "24");
  await page.dispatchEvent("#max_tokens", "change");
  await page.fill("#input", "Write **bold** and `code`, please");
  await page.press("#input", "Enter");
  const meta = page.locator(".message.assistant .meta").first();
  await meta.waitFor({ timeout: 60_000 });
  const first = await page.locator(".message.assistant").first().innerText();

  // An endless reply (until the context is full), stopped by the button.
  await page.fill("#max_tokens", "-1");
  await page.dispatchEvent("#max_tokens", "change");
  await page.fill("#input", "Now go on forever");
  await page.press("#input", "Enter");
  await page.waitForFunction(() => document.querySelectorAll(".message.assistant").length === 2
      && document.querySelectorAll(".message.assistant")[1].innerText.trim().length > 20, null, { timeout: 60_000 });
  await page.click("#stop");
  const stoppedMeta = page.locator(".message.assistant .meta", { hasText: "stopped" });
  await stoppedMeta.waitFor({ timeout: 30_000 });
  await page.screenshot({ path: screenshot });

  const markdown = await page.evaluate(() => Markdown.render("# Title\n**bold** and `code` <script>\n```js\nif (a < b) {}\n```\n- one\n- two"));

  console.log(JSON.stringify({
    markdown,
    first_reply: first,
    first_meta: await meta.innerText(),
    stopped_meta: await stoppedMeta.innerText(),
    user_messages: await page.locator(".message.user").count(),
    page_errors: errors,
  }));
} finally {
  await browser.close();
}
