#!/usr/bin/env bash
# Bitswap fetch throughput: raw stream vs 1 provider, 1/2/3 rate-limited providers, Helia (docs/benchmarks.md).
# Usage: bench/fetch.sh [MiB] [MiB/s per limited provider] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
mvn -q -B -DskipTests package -pl bench -am
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xmx3g \
  -cp "bench/target/classes:node/target/amalgam.jar:node/target/lib/*" \
  dev.amalgam.bench.FetchBench "$@"
