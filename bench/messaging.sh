#!/usr/bin/env bash
# Bus messages over the full path (socket -> channel -> PermissionGate -> channel -> socket) beside NATS with
# authorization, same machine, same run. Usage: bench/messaging.sh [RUNS=3] [MESSAGES=300000]
# Needs Debian's nats-server and gcc (installed here if missing). Prints Markdown tables for docs/benchmarks.md.
# Beside the bus and NATS, two relay floors run at our half peak (bench/floors/relay.c; RelayFloor.java): what a
# process that only copies the lines between the two sockets achieves on this machine, with these clients.
# The clients' JVM and the platform's (a JVM of its own, started by the bench with the same options, kept for all
# runs) run the sensor's JVM options (scripts/jvm-options.sh). The paced columns then run again with the C client
# (bench/clients/paced.c) in place of the JVM's.
# PAUSE_DAMON=1: this VM's kernel runs DAMON proactive reclaim (a kdamond thread that takes ~3 ms of one of the two
# cores every 0.5 s, docs/benchmarks.md); pause it for the run and restore it at the end. Without it, the run says
# whether it was running.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
command -v nats-server >/dev/null || apt-get install -y -q nats-server >/dev/null
command -v gcc >/dev/null || apt-get install -y -q gcc >/dev/null
mvn -B -ntp -q -DskipTests -DskipITs install -pl bench -am
gcc -O2 -Wall -Wextra -o bench/target/relay bench/floors/relay.c              # the C relay floor
gcc -O2 -Wall -Wextra -pthread -o bench/target/paced bench/clients/paced.c   # the C client

DAMON=none
running=()
for kdamond in /sys/kernel/mm/damon/admin/kdamonds/*; do
  [ -f "$kdamond/state" ] && [ "$(cat "$kdamond/state")" = on ] && running+=("$kdamond")
done
if [ ${#running[@]} -gt 0 ] && [ "${PAUSE_DAMON:-0}" = 1 ]; then
  trap 'for k in "${running[@]}"; do echo on > "$k/state"; done' EXIT
  for kdamond in "${running[@]}"; do echo off > "$kdamond/state"; done
  echo "messaging.sh: DAMON paused for the run (${running[*]}), restored at its end" >&2
  DAMON=paused
elif [ ${#running[@]} -gt 0 ]; then
  echo "messaging.sh: DAMON is running (${running[*]}); PAUSE_DAMON=1 pauses it for the run" >&2
  DAMON=running
fi

source "$ROOT/scripts/jvm-options.sh"
"$JAVA_HOME/bin/java" "${JVM_FLAGS[@]}" -Xms1g -Xmx1g "${SENSOR_GC[@]}" \
  -Dlogback.configurationFile="$ROOT/conf/logback.xml" -Dbench.damon="$DAMON" \
  -cp "bench/target/classes:$(cat bench/target/runtime.classpath)" io.sensorfleet.bench.MessagingBench "$@"
