#!/usr/bin/env bash
# Fingerprinting a >= 2 GB checkpoint vs sha256sum vs a plain streaming read (see docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
mvn -q -B -DskipTests package -pl bench -am
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xmx2g \
  -cp "bench/target/classes:node/target/amalgam.jar:node/target/lib/*" \
  dev.amalgam.bench.FingerprintBench "${1:-bench/out/fingerprint-2g}" "${2:-2.0}"
