#!/usr/bin/env bash
# Family-B hyper-parameter sweeps with torch_sweep.py, the PyTorch re-implementation of the trainer
# (zoo/README.md, "Sweeps on a GPU machine"). Two steps, on two machines:
#
#   zoo/experiments/torch_sweep.sh prepare DIR
#       here, with the built amalgam: writes the composite data (train 20,000 and 100,000 with seed
#       104 as family-b.yml draws it, dev and test 1,000 with eval's seed 1) and the run lists to DIR
#   zoo/experiments/torch_sweep.sh run DIR SWEEP [WORKERS] [SECONDS]
#       on a machine with PyTorch, transformers and tokenizers (a GPU makes it fast): runs SWEEP's
#       list in WORKERS processes (default 12) and starts no run that would end after SECONDS (540);
#       results go to DIR/out/all.jsonl, logs to DIR/out/workers.log
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
zoo="$here/.."
case "${1:-}" in
  prepare)
    dir="${2:?usage: torch_sweep.sh prepare DIR}"
    mkdir -p "$dir"
    gen() { "$zoo/../amalgam" tasks generate --task composite --split "$1" --n "$2" --seed "$3" -o "$dir/$4.jsonl" && gzip -f "$dir/$4.jsonl"; }
    gen train 20000 104 train20k
    gen train 100000 104 train100k
    gen dev 1000 1 dev
    gen test 1000 1 test
    cp "$zoo/tokenizers/family-b/tokenizer.json" "$dir/tokenizer.json"
    for sweep in smoke sweep1 sweep2 sweep3; do python3 "$here/torch_sweep_specs.py" "$sweep" "$dir"; done
    ;;
  run)
    dir="${2:?usage: torch_sweep.sh run DIR SWEEP [WORKERS] [SECONDS]}"
    sweep="${3:?usage: torch_sweep.sh run DIR SWEEP [WORKERS] [SECONDS]}"
    workers="${4:-12}"
    deadline=$(( $(date +%s) + ${5:-540} ))
    [[ -f "$dir/$sweep.json" ]] || { echo "torch_sweep.sh: $dir/$sweep.json not found (run prepare first)" >&2; exit 2; }
    mkdir -p "$dir/out"
    for w in $(seq 0 $(( workers - 1 ))); do
      PYTHONUNBUFFERED=1 python3 "$here/torch_sweep.py" "$dir" "$dir/tokenizer.json" "$dir/$sweep.json" \
        "$w" "$workers" "$deadline" "$dir/out" >> "$dir/out/workers.log" 2>&1 &
    done
    wait
    grep -v -i warn "$dir/out/workers.log" || true
    ;;
  *)
    echo "usage: torch_sweep.sh prepare DIR | run DIR SWEEP [WORKERS] [SECONDS]" >&2
    exit 2
    ;;
esac
