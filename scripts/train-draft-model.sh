#!/usr/bin/env bash
# Rebuilds the draft model for speculative decoding (models/loupe-shakespeare-draft.gguf): a small Llama with the
# default model's tokenizer, pretrained on the same corpus, so `loupe run -m models/loupe-shakespeare.gguf
# --draft models/loupe-shakespeare-draft.gguf` can use it.
#   scripts/train-draft-model.sh CORPUS [OUT_DIR] [pretrain options...]
# CORPUS is Tiny Shakespeare (input.txt, nanoGPT's split as for the default model). The tokenizer is read from
# models/loupe-shakespeare.gguf itself (its tokenizer.ggml.* metadata), so the two vocabularies are identical.
# Shape: 2 layers, dim 64, 2 heads (1 KV head, head size 32), SwiGLU 192, context 128, tied output: 229,696
# parameters, a 979,296-byte F32 GGUF, ~1/9 of the target's arithmetic per token. 1200 steps of 8 x 128 tokens (1.2M
# tokens, ~3.5 passes over the training split) took 24 minutes on one thread of the shared 2-core machine (load
# 11-17; ~11 minutes when it was quieter at the start). Validation loss 1.583 nats per character (4.364 per token, 39
# batches = the whole split; the default model: 1.640). One thread leaves the other core alone; the result does not
# depend on the thread count (PretrainResumeTest). The shipped file is this script's unmodified output.
# Resumable as the default model's script: run it again after an interruption. LOUPE overrides the launcher.
set -euo pipefail
corpus="${1:?usage: $0 CORPUS [OUT_DIR] [pretrain options...]}"
out="${2:-models/train-draft}"
shift $(( $# >= 2 ? 2 : 1 ))
root="$(cd "$(dirname "$0")/.." && pwd)"
loupe="${LOUPE:-$root/loupe}"
mkdir -p "$out"
$loupe train pretrain --corpus "$corpus" --tokenizer "$root/models/loupe-shakespeare.gguf" \
  --shape dim=64,layers=2,heads=2,kv=1,ffn=192,ctx=128,tied=true \
  --batch 8 --seq 128 --steps 1200 --lr 3e-3 --warmup 100 --eval-every 100 --eval-batches 8 --seed 1337 \
  --threads 1 --resume -o "$out/draft.gguf" "$@"
echo "draft: $out/draft.gguf   try: $root/loupe run -m $root/models/loupe-shakespeare.gguf --draft $out/draft.gguf -p 'ROMEO:' -n 64"
