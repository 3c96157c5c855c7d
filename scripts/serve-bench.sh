#!/usr/bin/env bash
# Serving benchmark: starts `loupe serve` on MODEL (loopback), runs loupe-serve/src/test/node/bench.mjs at
# concurrency 1, 4, 8 and 16 (each client streams REQUESTS chat completions of MAX_TOKENS tokens, temperature 0.8),
# and prints one table: generated tokens/s of all streams, the ratio to one stream, and time to first token
# p50/p99 (client-side: request sent -> first content chunk, so queueing and prefill included).
# Usage: scripts/serve-bench.sh MODEL.gguf [MAX_TOKENS=32] [REQUESTS=2] [PORT=18790] [THREADS=all cores]
# Uses the built CLI jar (run ./loupe once first). Needs node 18+ (bench.mjs uses only fetch).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
model="$1"; tok="${2:-32}"; req="${3:-2}"; port="${4:-18790}"; threads="${5:-$(nproc)}"
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
url="http://127.0.0.1:$port"
bench="$root/loupe-serve/src/test/node/bench.mjs"
log="$(mktemp)"
"$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC \
  -jar "$root/loupe-cli/target/loupe.jar" serve -m "$model" --parallel 16 --ctx 1024 --port "$port" -t "$threads" >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 600); do curl -sf "$url/health" >/dev/null 2>&1 && break; sleep 1; done
curl -sf "$url/health" >/dev/null || { cat "$log"; exit 1; }
node "$bench" "$url" 1 1 8 >/dev/null          # warm-up: the first request after start-up compiles the HTTP path
echo "# $(basename "$model"), $threads threads, $req requests x $tok tokens per client, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
results=()
for c in 1 8 4 16; do results+=("$(node "$bench" "$url" "$c" "$req" "$tok")"); done
echo "# after: load average $(cut -d' ' -f1-3 /proc/loadavg); server RSS $(( $(ps -o rss= -p $server) / 1024 )) MiB"
printf '%s\n' "${results[@]}" | node -e '
const rows = require("fs").readFileSync(0, "utf8").trim().split("\n").map(JSON.parse).sort((a, b) => a.concurrency - b.concurrency);
const one = rows.find(r => r.concurrency === 1).tokens_per_second;
console.log("| concurrent streams | requests | generated tokens | wall | tokens/s (all streams) | vs 1 stream | TTFT p50 | TTFT p99 |");
console.log("|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const r of rows) console.log(`| ${r.concurrency} | ${r.requests} | ${r.generated_tokens} | ${r.seconds} s | ${r.tokens_per_second} | ${(r.tokens_per_second / one).toFixed(2)}x | ${(r.ttft_p50_ms / 1000).toFixed(2)} s | ${(r.ttft_p99_ms / 1000).toFixed(2)} s |`);
'
