#!/usr/bin/env bash
# Regenerates the zoo: trains base, arith, relational (family A) and family-b into zoo/models/,
# merges the two family-A experts (merge-a.yml), then evaluates every model on every family's
# held-out test split and prints a table. Configs fix every seed.
#
# Usage: zoo/regenerate.sh [--eval-only] [--n N]
#   --eval-only  skip training and merging; evaluate what is in zoo/models/
#   --n N        test examples per family (default 200)
# Build first: JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -q -DskipTests package
set -euo pipefail
zoo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
amalgam="$zoo/../amalgam"
models="$zoo/models"
n=200
train=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --eval-only) train=0 ;;
    --n) n="$2"; shift ;;
    *) echo "regenerate.sh: unknown argument '$1' (known: --eval-only, --n N)" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$models" "$zoo/logs"
started=$(date +%s)

# One training at a time per lane, two lanes: the runtime uses one thread for models this small,
# so family-b (independent of the base) trains beside base -> arith -> relational.
train_one() {
  local name="$1" start
  rm -rf "${models:?}/$name"
  start=$(date +%s)
  "$amalgam" train "$zoo/configs/$name.yml" -o "$models/$name" > "$zoo/logs/$name.log" 2>&1 \
    || { echo "regenerate.sh: training $name failed, see zoo/logs/$name.log" >&2; return 1; }
  echo "== $name trained in $(( $(date +%s) - start )) s: $(grep '^step' "$zoo/logs/$name.log" | tail -n 1)"
}

# Responses run to ~150 tokens (family-A composite scratchpad; relational ~110); 64, eval's default once,
# would cut them off. One thread per evaluation.
eval_one() {
  local name="$1"
  rm -f "$zoo/logs/eval-$name.json"
  [[ -f "$models/$name/config.json" ]] || return 0
  "$amalgam" eval "$models/$name" --task arithmetic,relational,composite --n "$n" \
    --max-tokens 160 --json > "$zoo/logs/eval-$name.json" 2>"$zoo/logs/eval-$name.err" \
    || rm -f "$zoo/logs/eval-$name.json"
}
names=(base arith relational merge-a family-b)

if [[ $train == 1 ]]; then
  echo "== training family-b | base, arith, relational (logs in zoo/logs/)"
  # Family-b's lane is the longer one: when family A's lane is done, that core merges and
  # evaluates the family-A models while family-b still trains.
  { train_one family-b && eval_one family-b; } &
  lane_b=$!
  lane_a=0
  train_one base && train_one arith && train_one relational || lane_a=1
  if [[ $lane_a == 0 ]]; then
    rm -rf "$models/merge-a"
    echo "== merge arith + relational (merge-a.yml)"
    "$amalgam" merge "$zoo/merge-a.yml" -o "$models/merge-a" > "$zoo/logs/merge-a.log" 2>&1 \
      || { echo "regenerate.sh: merge failed, see zoo/logs/merge-a.log" >&2; lane_a=1; }
  fi
  if [[ $lane_a == 0 ]]; then
    echo "== exact match on the test split, n=$n per family (95% Wilson interval)"
    for name in base arith relational merge-a; do eval_one "$name"; done
  fi
  wait "$lane_b" || lane_a=1
  [[ $lane_a == 0 ]] || exit 1
else
  echo "== exact match on the test split, n=$n per family (95% Wilson interval)"
  for name in "${names[@]}"; do
    eval_one "$name" &
    while (( $(jobs -rp | wc -l) >= 2 )); do wait -n || true; done
  done
  wait
fi
printf '%-12s %-26s %-26s %-26s\n' model arithmetic relational composite
for name in "${names[@]}"; do
  [[ -f "$models/$name/config.json" ]] || { printf '%-12s (missing)\n' "$name"; continue; }
  [[ -f "$zoo/logs/eval-$name.json" ]] \
    || { printf '%-12s eval failed, see zoo/logs/eval-%s.err\n' "$name" "$name"; continue; }
  python3 - "$name" "$zoo/logs/eval-$name.json" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
cells = {}
for r in json.load(open(path))["results"]:
    lo, hi = r["ci95"]
    cells[r["task"]] = f"{100*r['accuracy']:5.1f}% [{100*lo:4.1f}, {100*hi:5.1f}]"
print(f"{name:<12} " + " ".join(f"{cells.get(t, '-'):<26}" for t in ("arithmetic", "relational", "composite")))
PY
done
echo "== done in $(( $(date +%s) - started )) s"
