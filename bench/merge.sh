#!/usr/bin/env bash
# Merge of 3 checkpoints vs streaming the same bytes vs NumPy (see docs/benchmarks.md).
# Usage: bench/merge.sh [DIR] [GB_PER_MODEL] [THREADS] [METHODS, comma-separated]
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
python3 -c 'import numpy' 2>/dev/null || { apt-get update -q && apt-get install -y -q python3-numpy; }
mvn -q -B -DskipTests package -pl bench -am
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xmx2g \
  -cp "bench/target/classes:node/target/amalgam.jar:node/target/lib/*" \
  dev.amalgam.bench.MergeBench "${1:-bench/out/merge}" "${2:-1.0}" "${3:-2}" ${4:+"$4"}
