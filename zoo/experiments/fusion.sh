#!/usr/bin/env bash
# The distribution-fusion comparison of docs/results.md (issue 9): the zoo's family-B composite expert
# is summarized on composite train data and fused into the family-A base; the control is the same
# fine-tune on gold tokens only (--lambda 1). Every model is then evaluated on the test split of
# every family (exact match and gold log-likelihood per token, 95% intervals).
#
# Usage: zoo/experiments/fusion.sh [OUT_DIR]   (default /tmp/amalgam-fusion)
# Environment: N (2000 train examples), EPOCHS (2), LR (1e-3), BATCH (16), TEST_N (200)
set -euo pipefail
zoo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
amalgam="$zoo/../amalgam"
out="${1:-/tmp/amalgam-fusion}"
source_model="$zoo/models/family-b"
target="$zoo/models/base"
mkdir -p "$out"
[[ -f "$out/train.jsonl" ]] || "$amalgam" tasks generate --task composite --split train \
  --n "${N:-2000}" --seed 11 -o "$out/train.jsonl"
[[ -d "$out/summary-b" ]] || "$amalgam" summarize "$source_model" --data "$out/train.jsonl" \
  -o "$out/summary-b" > "$out/summarize.txt" 2>&1
fuse() {
  local name="$1" rule="$2" lambda="$3"
  [[ -d "$out/$name" ]] && return 0
  "$amalgam" fuse --target "$target" --summary "$out/summary-b" --data "$out/train.jsonl" \
    -o "$out/$name" --fusion "$rule" --lambda "$lambda" --epochs "${EPOCHS:-2}" --lr "${LR:-1e-3}" \
    --batch "${BATCH:-16}" > "$out/fuse-$name.txt" 2>&1
  echo "== fused $name: $(tail -n 1 "$out/fuse-$name.txt")"
}
evaluate() {
  local name="$1" model="$2"
  [[ -f "$out/eval-$name.json" ]] && return 0
  "$amalgam" eval "$model" --task arithmetic,relational,composite --n "${TEST_N:-200}" \
    --max-tokens 160 --loglik --json > "$out/eval-$name.json" 2> "$out/eval-$name.err"
  echo "== evaluated $name"
}
fuse control minCE 1.0 &
fuse minCE minCE 0.9
wait
fuse avgCE avgCE 0.9 &
evaluate target "$target"
wait
evaluate control "$out/control" &
evaluate minCE "$out/minCE"
wait
evaluate avgCE "$out/avgCE"
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
print(f"{'model':<10} " + " ".join(f"{t:<36}" for t in ("arithmetic", "relational", "composite")))
for name in ("target", "control", "minCE", "avgCE"):
    cells = {}
    for r in json.load(open(f"{out}/eval-{name}.json"))["results"]:
        lo, hi = r["ci95"]
        llo, lhi = r["loglik_ci95"]
        cells[r["task"]] = (f"{100*r['accuracy']:5.1f}% [{100*lo:4.1f}, {100*hi:5.1f}] "
                            f"{r['loglik']:.3f}±{(lhi-llo)/2:.3f}")
    print(f"{name:<10} " + " ".join(f"{cells[t]:<36}" for t in ("arithmetic", "relational", "composite")))
PY
