#!/usr/bin/env bash
# Training steps on real task batches: one pass against micro-batches of neighbouring lengths
# (docs/benchmarks.md). Usage: bench/microbatch.sh [MODEL_DIR] [TASK] [BATCH] [STEPS_PER_ROUND] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
mvn -q -B -DskipTests package -pl bench -am
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true \
  -cp "bench/target/classes:node/target/amalgam.jar:node/target/lib/*" \
  dev.amalgam.bench.MicroBatchBench "$@"
