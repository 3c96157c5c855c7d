// Serving benchmark: C concurrent clients, each streaming R chat completions of N tokens one after another from a
// running server. Reports generated tokens/s over the whole run and time to first token (p50, p99).
// Loopback only: point it at a server you started on 127.0.0.1.
// Usage: node bench.mjs BASE_URL CONCURRENCY REQUESTS_PER_CLIENT MAX_TOKENS
const [base, concurrency = "1", perClient = "3", maxTokens = "32"] = process.argv.slice(2);
if (!/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(base)) throw new Error("bench.mjs only talks to 127.0.0.1");

const topics = ["the sea", "a mountain", "the moon", "a city", "an old tree", "a river", "the desert", "a library"];

async function one(client, i) {
  const body = {
    messages: [{ role: "user", content: `Write a long story about ${topics[(client + i) % topics.length]}.` }],
    max_tokens: Number(maxTokens), temperature: 0.8, seed: client * 100 + i, stream: true,
    stream_options: { include_usage: true },
  };
  const t0 = performance.now();
  const res = await fetch(base + "/v1/chat/completions", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  let ttft = 0, tokens = 0, buffer = "";
  const decoder = new TextDecoder();
  for await (const bytes of res.body) {
    buffer += decoder.decode(bytes, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const data = buffer.slice(6, cut);
      buffer = buffer.slice(cut + 2);
      if (data === "[DONE]") continue;
      const chunk = JSON.parse(data);
      if (chunk.usage) tokens = chunk.usage.completion_tokens;
      if (!ttft && chunk.choices[0]?.delta?.content !== undefined && chunk.choices[0].delta.role === undefined) ttft = performance.now() - t0;
    }
  }
  return { ttft, tokens };
}

const quantile = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]; };
const start = performance.now();
const results = (await Promise.all(Array.from({ length: Number(concurrency) }, async (_, c) => {
  const out = [];
  for (let i = 0; i < Number(perClient); i++) out.push(await one(c, i));
  return out;
}))).flat();
const secs = (performance.now() - start) / 1000;
const tokens = results.reduce((a, r) => a + r.tokens, 0);
const ttfts = results.map(r => r.ttft);
console.log(JSON.stringify({
  concurrency: Number(concurrency), requests: results.length, max_tokens: Number(maxTokens), seconds: +secs.toFixed(2),
  generated_tokens: tokens, tokens_per_second: +(tokens / secs).toFixed(2),
  ttft_p50_ms: +quantile(ttfts, 0.5).toFixed(1), ttft_p99_ms: +quantile(ttfts, 0.99).toFixed(1),
}));
