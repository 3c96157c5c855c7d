#!/usr/bin/env bash
# Compares Loupe's engine with llama.cpp on a LoRA adapter: logits of MODEL + ADAPTER at SCALE for TOKENS.
# usage: scripts/lora-vs-llamacpp/run.sh LLAMA_CPP_DIR MODEL.gguf ADAPTER.gguf [SCALE] [TOKENS]
#   LLAMA_CPP_DIR: a llama.cpp checkout built with CMake (include/, ggml/include/, build/bin/libllama.so)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
llama="$1" model="$2" adapter="$3" scale="${4:-1.0}" tokens="${5:-1,450,7483,310,3444,338}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
gcc -O2 -o "$work/llama-lora-logits" "$here/llama-lora-logits.c" -I"$llama/include" -I"$llama/ggml/include" \
    -L"$llama/build/bin" -lllama -lggml -lggml-base -Wl,-rpath,"$llama/build/bin"
"$work/llama-lora-logits" "$model" "$adapter" "$scale" "$tokens" "$work/ref.f32" 2>"$work/llama.log"
"$root/loupe" --version >/dev/null   # builds the CLI jar if needed
java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$root/loupe-cli/target/loupe.jar" \
    "$here/LoupeLogits.java" "$model" "$adapter:$scale" "$tokens" "$work/ref.f32" 2>/dev/null
