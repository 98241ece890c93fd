#!/usr/bin/env bash
# Runtime scoring/training throughput and a TinyLlama-1.1B-shaped load + 512-token score (docs/benchmarks.md).
# Usage: bench/runtime.sh [DIR] [--train-large]
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
mvn -q -B -DskipTests package -pl bench -am
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true -Xmx12g \
  -cp "bench/target/classes:node/target/amalgam.jar:node/target/lib/*" \
  dev.amalgam.bench.RuntimeBench "${1:-bench/out/runtime}" "${@:2}"
