#!/usr/bin/env bash
# The layer-wise search of docs/results.md (issue 8) on the zoo's family-A models: TIES over arith and
# relational from base (zoo/search-a.yml), CMA-ES on the dev split, report with the test table.
#
# Usage: zoo/experiments/search.sh [OUT_DIR]   (default /tmp/amalgam-search)
# Environment: BUDGET (200), DEV_N (48), TEST_N (200), SEED (1), TASKS (arithmetic,relational,composite)
set -euo pipefail
zoo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
out="${1:-/tmp/amalgam-search}"
mkdir -p "$out"
start=$(date +%s)
"$zoo/../amalgam" search "$zoo/search-a.yml" --task "${TASKS:-arithmetic,relational,composite}" \
  -o "$out/BEST-a.yml" --budget "${BUDGET:-200}" --granularity 1 --seed "${SEED:-1}" \
  --dev-n "${DEV_N:-48}" --test-n "${TEST_N:-200}" --report "$out/report" 2> "$out/search.log"
echo "search took $(( $(date +%s) - start )) s; report in $out/report, log in $out/search.log"
