#!/usr/bin/env bash
# Bus messages over the full path (socket -> channel -> PermissionGate -> channel -> socket) beside NATS with
# authorization, same machine, same run. Usage: bench/messaging.sh [RUNS=3] [MESSAGES=300000]
# Needs Debian's nats-server (installed here if missing). Prints a Markdown table for docs/benchmarks.md.
# The clients' JVM and the platform's (a JVM of its own, started by the bench with the same options, kept for all
# runs) run the sensor's JVM options (scripts/jvm-options.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
command -v nats-server >/dev/null || apt-get install -y -q nats-server >/dev/null
mvn -B -ntp -q -DskipTests -DskipITs install -pl bench -am
source "$ROOT/scripts/jvm-options.sh"
exec "$JAVA_HOME/bin/java" "${JVM_FLAGS[@]}" -Xms1g -Xmx1g "${SENSOR_GC[@]}" \
  -Dlogback.configurationFile="$ROOT/conf/logback.xml" \
  -cp "bench/target/classes:$(cat bench/target/runtime.classpath)" io.sensorfleet.bench.MessagingBench "$@"
