#!/usr/bin/env bash
# Rebuilds Loupe's default model from scratch: tokenizer, pretraining, export.
#   scripts/train-default-model.sh CORPUS [OUT_DIR]
# Shape: 6 layers, dim 256, 8 heads (4 KV heads), SwiGLU 768, tied output, 4096-token BPE vocabulary:
# 5.8M parameters, a 23 MB F32 GGUF (the budget is 25 MB). Interrupt any time; running the script again resumes
# from OUT_DIR/model.gguf.ckpt bit for bit. Extra arguments after OUT_DIR go to 'loupe train pretrain'
# (e.g. --max-seconds 60 --steps 5000).
set -euo pipefail
corpus="${1:?usage: $0 CORPUS [OUT_DIR] [pretrain options...]}"
out="${2:-models/train}"
shift $(( $# >= 2 ? 2 : 1 ))
root="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$out"
if [ ! -f "$out/tok.gguf" ]; then
  "$root/loupe" train tokenizer --corpus "$corpus" --vocab 4096 -o "$out/tok.gguf"
fi
"$root/loupe" train pretrain --corpus "$corpus" --tokenizer "$out/tok.gguf" \
  --shape dim=256,layers=6,heads=8,kv=4,ffn=768,ctx=256,tied=true \
  --batch 8 --seq 256 --steps 5000 --lr 1e-3 --warmup 200 --eval-every 250 --eval-batches 8 --seed 1337 \
  --resume -o "$out/model.gguf" "$@"
echo "model: $out/model.gguf   try: $root/loupe run -m $out/model.gguf -p 'ROMEO:' -n 64"
