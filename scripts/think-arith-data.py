#!/usr/bin/env python3
"""Synthetic three-term addition with worked steps, for docs/think.md's scaling curve.

  corpus line:  23+45+17:23+45=68;68+17=85;A85
  task (JSONL): {"id": ..., "prompt": "23+45+17:", "answer": "85"}

Each step is checkable on its own (a process-reward-style checker can verify "23+45=68" without knowing the
answer). Test problems never appear in the training corpus.
Usage: think-arith-data.py OUT_DIR [N_TRAIN] [N_TEST] [DIGITS]   (DIGITS 1: operands 0-9, 2: operands 10-99)
"""
import json, os, random, sys

out = sys.argv[1]
n_train = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
n_test = int(sys.argv[3]) if len(sys.argv) > 3 else 200
digits = int(sys.argv[4]) if len(sys.argv) > 4 else 2
lo, hi = (0, 9) if digits == 1 else (10, 99)
rng = random.Random(20261127)
os.makedirs(out, exist_ok=True)

def triple():
    return rng.randint(lo, hi), rng.randint(lo, hi), rng.randint(lo, hi)

test = []
seen = set()
while len(test) < n_test:
    t = triple()
    if t not in seen:
        seen.add(t)
        test.append(t)

with open(os.path.join(out, "train.txt"), "w") as f:
    written = 0
    while written < n_train:
        a, b, c = triple()
        if (a, b, c) in seen:
            continue
        f.write(f"{a}+{b}+{c}:{a}+{b}={a+b};{a+b}+{c}={a+b+c};A{a+b+c}\n")
        written += 1

with open(os.path.join(out, "test.jsonl"), "w") as f:
    for i, (a, b, c) in enumerate(test):
        f.write(json.dumps({"id": f"add3-{i}", "prompt": f"{a}+{b}+{c}:", "answer": str(a + b + c)}) + "\n")
