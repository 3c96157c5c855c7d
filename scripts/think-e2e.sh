#!/usr/bin/env bash
# Reproduces docs/think.md: a tiny char-level Llama trained on three-term single-digit addition with worked steps,
# then accuracy against compute for several strategies, then GSM8K problems through Loupe's own HTTP server.
# Usage: scripts/think-e2e.sh [OUT_DIR] [STOP_STEP]
# The model of the docs is the checkpoint at step 800 of a 2000-step cosine schedule (single-sample accuracy
# ~45%; by step 1000 it is too good to show search helping). Checkpoints come every 200 steps; resuming is bit
# for bit, so the script trains until the checkpoint at STOP_STEP exists, stops, and exports it after one
# more step (--max-seconds 1), as was done for the docs (the exported model is at step STOP_STEP+1).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-think-e2e}"
stop_step="${2:-800}"
loupe="$root/loupe"
mkdir -p "$out"

python3 "$root/scripts/think-arith-data.py" "$out" 60000 200 1          # train.txt, test.jsonl (held-out triples)
"$loupe" train tokenizer --corpus "$out/train.txt" --vocab 257 -o "$out/tok.gguf"   # bytes only: one char, one token
train=(train pretrain --corpus "$out/train.txt" --tokenizer "$out/tok.gguf"
       --shape dim=64,layers=2,heads=4,kv=4,ffn=256,ctx=64 --steps 2000 --batch 16 --lr 0.004 --warmup 100
       --eval-every 200 --eval-batches 4 --seed 7 --resume -o "$out/add3.gguf")
setsid "$loupe" "${train[@]}" > "$out/train.log" 2>&1 & trainer=$!   # its own process group, to stop it whole
# The progress line of a step is printed after that step's checkpoint is saved.
until grep -q "step $stop_step/2000 " "$out/train.log" 2>/dev/null; do sleep 2; done
kill -- -"$trainer"; wait "$trainer" || true
"$loupe" "${train[@]}" --max-seconds 1         # one more step from the STOP_STEP checkpoint, then export

# -t 1: on a busy 2-core machine one thread beats two that wait on each other at every barrier.
"$loupe" think curve "$out/test.jsonl" -m "$out/add3.gguf" -t 1 --limit 100 --stop '\n' --step ';' --max-tokens 30 \
    --verifier arith --m 2 --strategies single,majority,best-of,weighted-best-of,beam,dvts --n 1,2,4,8,16 \
    --seed 1 --out "$out/curve"
"$loupe" think run "$out/test.jsonl" -m "$out/add3.gguf" -t 1 --limit 100 --stop '\n' --step ';' --max-tokens 30 \
    --verifier arith --strategy mcts --n 16 --m 4 --seed 1 --out "$out/mcts-16"

# The remote path: the same strategies through the OpenAI-compatible API of 'loupe serve'.
"$loupe" serve -m "$root/models/loupe-standin.gguf" --port 18431 -t 1 & server=$!
trap 'kill $server' EXIT
for _ in $(seq 60); do curl -sf http://127.0.0.1:18431/v1/models >/dev/null && break; sleep 1; done
"$loupe" think run "$root/../shared/data/gsm8k/test.jsonl" --server http://127.0.0.1:18431 --server-model loupe-standin \
    --raw-completions --template 'Question: {prompt}\nAnswer:' --stop '\n\n' --max-tokens 48 --limit 5 \
    --strategy majority --n 3 --seed 3 --out "$out/gsm8k-remote"
