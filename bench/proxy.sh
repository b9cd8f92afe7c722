#!/usr/bin/env bash
# UI proxy benchmark: Fleet Management's reverse proxy (/instruments/{id}/ui/...) beside nginx proxying the same
# upstream, with the same load tool, connections and duration: wrk at saturation (closed loop), then hey paced at
# RATE requests/s; plus the API's read throughput (GET /api/v1/instruments). Prints Markdown tables; results go to
# docs/benchmarks.md by hand.
#
#   bench/proxy.sh                 install nginx, wrk and hey (Debian packages) if missing, build, run, report
#
# The upstream is one nginx server block listening on a unix socket, <work>/run/ui/bench.sock: exactly where the
# sensor's proxy looks for Instrument "bench"'s UI socket (the proxy only needs the socket; an admin may open any
# Instrument's UI, so nothing is installed). The comparison nginx listens on 127.0.0.1:$NGINX_PORT and proxies to the
# same socket with keep-alive upstream connections. Both answer the same 1 KiB body.
#
# What differs, by design: the sensor's proxy authenticates every request (bearer token -> session -> user),
# checks the UI grant, signs the caller (HMAC-SHA256), strips and adds headers and sandboxes the response; nginx
# here only forwards. The target of issue 6 is the proxy's p99 within 1.5x of nginx's.
#
# Floors, to tell what costs what: the sensor's shortest route (/api/v1/health: no authentication, no upstream);
# bench/floors/PekkoFloor.java on 127.0.0.1:$PEKKO_PORT, Pekko HTTP under the sensor's configuration with nothing of
# the sensor around it, answering /health and forwarding /ui/ to the same UI socket as the sensor's proxy does (same
# client pool and transport, no authentication, signature or header work); and bench/floors/JvmFloor.java on
# 127.0.0.1:$FLOOR_PORT, a one-thread NIO responder with no framework (the JVM's own floor). The bare Pekko proxy is
# measured at saturation too; every floor in the paced rounds. hey paces each of its CONNS workers with a ticker of
# its own, all started together, so requests come in bursts of CONNS every CONNS/RATE seconds: the paced p99 is
# roughly the time a server takes to answer a whole burst, which its CPU per request sets.
#
# Environment: WORK (default /tmp/sensorfleet-proxy-bench), SECS (default 20), CONNS (default 16), RATE (default 2000,
# the paced runs' requests/s in all),
# THREADS (default 2), RUNS (default 3, the two proxies interleaved), WARM (default 30: seconds of saturated load on
# the sensor's proxy and API before anything is measured), SENSOR_PORT (18080), NGINX_PORT (18081),
# FLOOR_PORT (18082), PEKKO_PORT (18083), FLOOR_JAVA (a Java >= 25 for the floors; default: $JAVA_HOME's, else the
# newest /usr/lib/jvm/*-25-*), SKIP_BUILD (set: use what is built), SENSOR_CONF (HOCON lines appended to the
# sensor's config, e.g. a dispatcher setting to compare), JAVA_OPTS (passed to the sensor's JVM by the launcher: -Xlog:gc, JFR, a GC).
# Needs root (apt-get, the proxy's socket directory). Measure on an otherwise idle machine: on a shared one the
# numbers say more about the neighbours than about the proxies.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/sensorfleet-proxy-bench}
SECS=${SECS:-20}
CONNS=${CONNS:-16}
RATE=${RATE:-2000}
THREADS=${THREADS:-2}
RUNS=${RUNS:-3}
WARM=${WARM:-30}
SENSOR_PORT=${SENSOR_PORT:-18080}
NGINX_PORT=${NGINX_PORT:-18081}
FLOOR_PORT=${FLOOR_PORT:-18082}
PEKKO_PORT=${PEKKO_PORT:-18083}
FLOOR_JAVA=${FLOOR_JAVA:-${JAVA_HOME:-$(ls -d /usr/lib/jvm/*-25-* 2>/dev/null | tail -n 1)}/bin/java}
PASSWORD=bench-admin-password-1

[ "$(id -u)" -eq 0 ] || { echo "proxy.sh: needs root" >&2; exit 1; }

deps() {
  local missing=()
  command -v nginx >/dev/null || missing+=(nginx)
  command -v wrk >/dev/null || missing+=(wrk)
  command -v hey >/dev/null || missing+=(hey)
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

start_nginx() {
  mkdir -p "$WORK/run/ui" "$WORK/nginx" && chmod 0700 "$WORK/run/ui"
  head -c 1024 /dev/zero | tr '\0' 'x' > "$WORK/nginx/body.html"
  cat > "$WORK/nginx/nginx.conf" <<CONF
# Root, as the sensor: the UI socket directory is root-only (0700), as in the sensor.
user root;
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  # The upstream: an "Instrument UI" on the unix socket the sensor's proxy uses for Instrument "bench".
  server {
    listen unix:$WORK/run/ui/bench.sock;
    root $WORK/nginx;
    location / { default_type text/html; try_files /body.html =404; }
  }
  # The comparison proxy.
  upstream ui { server unix:$WORK/run/ui/bench.sock; keepalive 32; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location /instruments/bench/ui/ {
      proxy_pass http://ui/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering on;
    }
  }
}
CONF
  nginx -c "$WORK/nginx/nginx.conf"
}

start_sensor() {
  cat > "$WORK/sensor.conf" <<CONF
include file("$ROOT/conf/application.conf")
sensor.channel.runtime-root = "$WORK/run"
${SENSOR_CONF:-}
CONF
  SENSORFLEET_CONFIG="$WORK/sensor.conf" SENSORFLEET_ADMIN_PASSWORD="$PASSWORD" \
    "$ROOT/sensorfleet" run --port "$SENSOR_PORT" --data "$WORK/data" > "$WORK/sensor.log" 2>&1 &
  SENSOR_PID=$!
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$SENSOR_PORT/api/v1/health" >/dev/null && return 0
    sleep 1
  done
  echo "proxy.sh: the sensor did not start; see $WORK/sensor.log" >&2
  exit 1
}

# The floors (bench/floors/), with the sensor's JVM options and collector.
start_floors() {
  source "$ROOT/scripts/jvm-options.sh"
  local jvm=("${JVM_FLAGS[@]}" "${SENSOR_GC[@]}")
  "$FLOOR_JAVA" "${jvm[@]}" "$ROOT/bench/floors/JvmFloor.java" "$FLOOR_PORT" > "$WORK/jvm-floor.log" 2>&1 &
  FLOOR_PID=$!
  "$FLOOR_JAVA" "${jvm[@]}" -cp "$(cat "$ROOT/http/target/runtime.classpath")" "$ROOT/bench/floors/PekkoFloor.java" \
    "$PEKKO_PORT" "$WORK/run/ui/bench.sock" "$ROOT/conf/application.conf" > "$WORK/pekko-floor.log" 2>&1 &
  PEKKO_PID=$!
  local url; for url in "http://127.0.0.1:$FLOOR_PORT/" "http://127.0.0.1:$PEKKO_PORT/ui/"; do
    for _ in $(seq 1 60); do curl -sf "$url" >/dev/null && continue 2; sleep 1; done
    echo "proxy.sh: $url did not answer ($FLOOR_JAVA); see $WORK/*-floor.log" >&2
    exit 1
  done
}

stop_all() {
  [ -f "$WORK/nginx/nginx.pid" ] && nginx -c "$WORK/nginx/nginx.conf" -s stop 2>/dev/null || true
  local p; for p in ${FLOOR_PID:-} ${PEKKO_PID:-}; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  if [ -n "${SENSOR_PID:-}" ]; then kill "$SENSOR_PID" 2>/dev/null || true; wait "$SENSOR_PID" 2>/dev/null || true; fi
}

# One wrk run: "name rps p50 p90 p99 cpu switches" (latencies in ms; cpu: the server's CPU time per request in µs,
# from /proc/<pid>/stat: the sensor's JVM, or nginx's processes, whose worker also serves the upstream's page, so
# for nginx it is the whole path). On a shared machine the CPU per request is the steadier figure.
load() {
  local name=$1 url=$2; shift 2
  local pids; pids=$(server_pids "$name")
  local c0 x0; c0=$(server_ticks $pids); x0=$(server_switches $pids)
  wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --latency "$@" "$url" > "$WORK/wrk-$name.txt"
  local c1 x1; c1=$(server_ticks $pids); x1=$(server_switches $pids)
  awk -v name="$name" -v ticks=$((c1 - c0)) -v switches=$((x1 - x0)) -v hz="$(getconf CLK_TCK)" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /^ +50%/ { p50 = ms($2) } /^ +90%/ { p90 = ms($2) } /^ +99%/ { p99 = ms($2) }
    /^Requests\/sec/ { rps = $2 } / requests in / { n = $1 }
    /Non-2xx/ { bad = $NF }
    END { if (bad > 0) { print "proxy.sh: " name ": " bad " non-2xx answers" > "/dev/stderr"; exit 1 }
          cpu = n == 0 ? "-" : sprintf("%.0f", ticks * 1e6 / hz / n)
          cs = n == 0 ? "-" : sprintf("%.1f", switches / n)
          printf "%s %s %.2f %.2f %.2f %s %s\n", name, rps, p50, p90, p99, cpu, cs }' "$WORK/wrk-$name.txt"
}

# The processes serving a run: the sensor's JVM (the launcher execs java, so SENSOR_PID is it), nginx's master
# and workers, or a floor.
server_pids() {
  case $1 in
    jvm-floor*) echo "$FLOOR_PID" ;;
    pekko*) echo "$PEKKO_PID" ;;
    nginx*) local master; master=$(cat "$WORK/nginx/nginx.pid"); echo "$master $(pgrep -P "$master" | tr '\n' ' ')" ;;
    *) echo "$SENSOR_PID" ;;
  esac
}

# Context switches of all the servers' threads so far (voluntary and not): each is a thread that waited and was woken,
# or was preempted, so per request they count the hand-offs between threads (or, for nginx's one-thread worker, the
# waits for events) that a request costs.
server_switches() {
  local p; for p in "$@"; do cat /proc/"$p"/task/*/status 2>/dev/null; done |
    awk '/ctxt_switches/ { s += $2 } END { print s + 0 }'
}

# The servers' CPU time so far, in clock ticks (user + system).
server_ticks() {
  local p; for p in "$@"; do cat "/proc/$p/stat"; done | awk '{ t += $14 + $15 } END { print t + 0 }'
}

# One paced run with hey at RATE requests/s in all (CONNS workers): "name rps p50 p90 p99" (latencies in ms). wrk
# measures the tail at saturation (a closed loop: every connection sends as fast as answers come); this measures it
# at a steady load well below either proxy's peak, as a few operators' browsers would put on a UI.
paced() {
  local name=$1 url=$2; shift 2
  local pids; pids=$(server_pids "$name")
  local c0 x0; c0=$(server_ticks $pids); x0=$(server_switches $pids)
  hey -z "${SECS}s" -c "$CONNS" -q $(( (RATE + CONNS - 1) / CONNS )) "$@" "$url" > "$WORK/hey-$name.txt"
  local c1 x1; c1=$(server_ticks $pids); x1=$(server_switches $pids)
  awk -v name="$name" -v ticks=$((c1 - c0)) -v switches=$((x1 - x0)) -v hz="$(getconf CLK_TCK)" '
    /^  50% in/ { p50 = $3 * 1000 } /^  90% in/ { p90 = $3 * 1000 } /^  99% in/ { p99 = $3 * 1000 }
    /^  Requests\/sec:/ { rps = $2 }
    /^  \[[0-9]+\]/ { if ($1 != "[200]") bad += $2; else n = $2 }
    /^Error distribution/ { bad += 1 }
    END { if (bad > 0) { print "proxy.sh: " name ": answers other than 200 (see hey-" name ".txt)" > "/dev/stderr"; exit 1 }
          cpu = n == 0 ? "-" : sprintf("%.0f", ticks * 1e6 / hz / n)
          cs = n == 0 ? "-" : sprintf("%.1f", switches / n)
          printf "%s %.0f %.2f %.2f %.2f %s %s\n", name, rps, p50, p90, p99, cpu, cs }' "$WORK/hey-$name.txt"
}

main() {
  deps
  rm -rf "$WORK" && mkdir -p "$WORK"
  trap stop_all EXIT
  [ -n "${SKIP_BUILD:-}" ] || "$ROOT/sensorfleet" build
  start_nginx
  start_sensor
  start_floors
  TOKEN=$(curl -sf "http://127.0.0.1:$SENSOR_PORT/api/v1/login" \
    -d "{\"username\":\"admin\",\"password\":\"$PASSWORD\"}" | sed 's/.*"token":"\([^"]*\)".*/\1/')
  AUTH="Authorization: Bearer $TOKEN"
  # Warm both up (JIT, connection pools), and the API route measured below. 5 s was too short for the JIT: the
  # sensor's saturated rate was still rising (3.2 k requests/s in the first 8 s, 11-12 k after 20 s more) and its
  # one-connection p99 fell from 4.2-4.7 to 1.4-2.1 ms over the next 30 s (docs/benchmarks.md, issue 6).
  SECS=$WARM load warm-sensor "http://127.0.0.1:$SENSOR_PORT/instruments/bench/ui/" -H "$AUTH" >/dev/null
  SECS=$WARM load warm-api "http://127.0.0.1:$SENSOR_PORT/api/v1/instruments" -H "$AUTH" >/dev/null
  SECS=10 load warm-health "http://127.0.0.1:$SENSOR_PORT/api/v1/health" >/dev/null
  SECS=5 load warm-nginx "http://127.0.0.1:$NGINX_PORT/instruments/bench/ui/" >/dev/null
  SECS=10 load jvm-floor-warm "http://127.0.0.1:$FLOOR_PORT/" >/dev/null
  SECS=$WARM load pekko-proxy-warm "http://127.0.0.1:$PEKKO_PORT/ui/" >/dev/null
  SECS=10 load pekko-health-warm "http://127.0.0.1:$PEKKO_PORT/health" >/dev/null
  : > "$WORK/results.txt"
  for run in $(seq 1 "$RUNS"); do
    load "sensor-proxy-$run" "http://127.0.0.1:$SENSOR_PORT/instruments/bench/ui/" -H "$AUTH" >> "$WORK/results.txt"
    load "nginx-proxy-$run" "http://127.0.0.1:$NGINX_PORT/instruments/bench/ui/" >> "$WORK/results.txt"
    load "api-read-$run" "http://127.0.0.1:$SENSOR_PORT/api/v1/instruments" -H "$AUTH" >> "$WORK/results.txt"
    load "pekko-proxy-$run" "http://127.0.0.1:$PEKKO_PORT/ui/" >> "$WORK/results.txt"
  done
  echo
  echo "| run | requests/s | p50 ms | p90 ms | p99 ms | server CPU µs/request | server thread switches/request |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  awk '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }' "$WORK/results.txt"
  awk '/^sensor-proxy/ { s += $5; n++ } /^nginx-proxy/ { g += $5; m++ }
       END { if (n && m && g > 0) printf "\np99 ratio (sensor / nginx, mean over runs): %.2f (target <= 1.5)\n", (s/n)/(g/m) }' \
    "$WORK/results.txt"
  echo "wrk -t$THREADS -c$CONNS -d${SECS}s; raw output in $WORK/wrk-*.txt"

  : > "$WORK/paced.txt"
  for run in $(seq 1 "$RUNS"); do
    paced "sensor-proxy-paced-$run" "http://127.0.0.1:$SENSOR_PORT/instruments/bench/ui/" -H "$AUTH" >> "$WORK/paced.txt"
    paced "nginx-proxy-paced-$run" "http://127.0.0.1:$NGINX_PORT/instruments/bench/ui/" >> "$WORK/paced.txt"
    # The floor under the proxy: the sensor's shortest route (no authentication, no upstream), same load.
    paced "sensor-health-paced-$run" "http://127.0.0.1:$SENSOR_PORT/api/v1/health" >> "$WORK/paced.txt"
    paced "pekko-proxy-paced-$run" "http://127.0.0.1:$PEKKO_PORT/ui/" >> "$WORK/paced.txt"
    paced "pekko-health-paced-$run" "http://127.0.0.1:$PEKKO_PORT/health" >> "$WORK/paced.txt"
    paced "jvm-floor-paced-$run" "http://127.0.0.1:$FLOOR_PORT/" >> "$WORK/paced.txt"
  done
  echo
  echo "| paced run ($RATE requests/s) | requests/s | p50 ms | p90 ms | p99 ms | server CPU µs/request | server thread switches/request |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  awk '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }' "$WORK/paced.txt"
  awk '/^sensor-proxy/ { s += $5; n++ } /^nginx-proxy/ { g += $5; m++ }
       END { if (n && m && g > 0) printf "\np99 ratio at %s requests/s (sensor / nginx, mean over runs): %.2f\n", rate, (s/n)/(g/m) }' \
    rate="$RATE" "$WORK/paced.txt"
  echo "hey -z ${SECS}s -c $CONNS -q $(( (RATE + CONNS - 1) / CONNS )); raw output in $WORK/hey-*.txt"
}

main "$@"
