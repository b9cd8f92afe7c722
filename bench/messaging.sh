#!/usr/bin/env bash
# Bus messages over the full path (socket -> channel -> PermissionGate -> channel -> socket) beside NATS with
# authorization, same machine, same run. Usage: bench/messaging.sh [RUNS=3] [MESSAGES=300000]
# Needs Debian's nats-server and gcc (installed here if missing). Prints a Markdown table for docs/benchmarks.md.
# Beside the bus and NATS, two relay floors run at our half peak (bench/floors/relay.c; RelayFloor.java): what a
# process that only copies the lines between the two sockets achieves on this machine, with these clients.
# The clients' JVM and the platform's (a JVM of its own, started by the bench with the same options, kept for all
# runs) run the sensor's JVM options (scripts/jvm-options.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
command -v nats-server >/dev/null || apt-get install -y -q nats-server >/dev/null
command -v gcc >/dev/null || apt-get install -y -q gcc >/dev/null
mvn -B -ntp -q -DskipTests -DskipITs install -pl bench -am
gcc -O2 -Wall -Wextra -o bench/target/relay bench/floors/relay.c   # the C relay floor
source "$ROOT/scripts/jvm-options.sh"
exec "$JAVA_HOME/bin/java" "${JVM_FLAGS[@]}" -Xms1g -Xmx1g "${SENSOR_GC[@]}" \
  -Dlogback.configurationFile="$ROOT/conf/logback.xml" \
  -cp "bench/target/classes:$(cat bench/target/runtime.classpath)" io.sensorfleet.bench.MessagingBench "$@"
