#!/usr/bin/env bash
# Container lifecycle: our LXD adapter beside `lxc launch`/`lxc delete --force`, same image, same config.
# Usage: bench/lxd-lifecycle.sh [RUNS=20] [IMAGE=sensorfleet/base]   (needs ./sensorfleet setup first)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
mvn -B -ntp -q -Dmaven.test.skip=true package -pl bench -am
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  --add-opens=java.base/java.lang=ALL-UNNAMED -Dlogback.configurationFile="$ROOT/conf/logback.xml" \
  -cp "bench/target/classes:$(cat bench/target/runtime.classpath)" io.sensorfleet.bench.LxdLifecycleBench "$@"
