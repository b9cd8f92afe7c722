#!/usr/bin/env bash
# Capture Engine benchmark: ./sensorfleet capture beside kernel tc mirred and the native C mirror (cb-mirror),
# with the shared harness (../shared/bench/capture: topology, generator, bench.py, report.py). Results and the
# table go to docs/benchmarks.md by hand (see the "Capture Engine" section there for the last run).
#
#   bench/capture.sh [SECTION...]     sections: build mirror filter rate slow report (default: all but build's deps)
#
# Environment:
#   CB_HARNESS  the harness directory (default ../shared/bench/capture next to this checkout); it is copied to
#               CB_WORK so that its binaries and results can be written (the shared copy is read-only)
#   CB_WORK     where the copy lives (default /tmp/sensorfleet-capture-bench)
#   REPS        repetitions, methods interleaved within each (default 3); SECS seconds per run (default 5)
#   OUT         results file (default: a new one per invocation, $CB_WORK/results/capture-<time>.jsonl, which
#               results/latest.jsonl then points to; an earlier run's results never mix into this one's report)
#   SIZES, NS   frame sizes and port counts of the mirror section (default "64 1514" and "1 2 4 8"), e.g.
#               SIZES=1514 NS="1 8" REPS=1 SECS=3 bench/capture.sh mirror  for a quick look
#               (report alone reads OUT: OUT=/tmp/sensorfleet-capture-bench/results/latest.jsonl bench/capture.sh report)
#   SKIP_BUILD  1: use the build that is there (./sensorfleet build would use the default Maven repository)
#   JAVA_OPTS   passed on to the engine (./sensorfleet capture), e.g. -Dsensor.capture.slab-size=16MiB
# Needs root, gcc and libpcap-dev (the harness's ./run-all.sh deps installs them), and a built ./sensorfleet.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CB_HARNESS=${CB_HARNESS:-$(cd "$ROOT/.." && pwd)/shared/bench/capture}
CB_WORK=${CB_WORK:-/tmp/sensorfleet-capture-bench}
REPS=${REPS:-3}
SECS=${SECS:-5}
SIZES=${SIZES:-64 1514}
NS=${NS:-1 2 4 8}
SKIP_BUILD=${SKIP_BUILD:-0}
OUT=${OUT:-$CB_WORK/results/capture-$(date -u +%Y%m%dT%H%M%S).jsonl}
ENGINE="$ROOT/sensorfleet capture --in {in} {out_args}"

[ "$(id -u)" -eq 0 ] || { echo "capture.sh: needs root (raw sockets, namespaces)" >&2; exit 1; }
[ -f "$CB_HARNESS/bench.py" ] || { echo "capture.sh: no harness at $CB_HARNESS (set CB_HARNESS)" >&2; exit 1; }

prepare() {
  mkdir -p "$CB_WORK"
  cp -r "$CB_HARNESS"/. "$CB_WORK"/
  chmod -R u+w "$CB_WORK"
  mkdir -p "$CB_WORK/bin" "$CB_WORK/results"
  touch "$OUT"
  [ "$(dirname "$OUT")" = "$CB_WORK/results" ] && ln -sfn "$(basename "$OUT")" "$CB_WORK/results/latest.jsonl"
  echo "capture.sh: results in $OUT" >&2
  [ -x "$CB_WORK/bin/cb-gen" ] || gcc -O2 -Wall -Wextra -o "$CB_WORK/bin/cb-gen" "$CB_WORK/src/cb-gen.c"
  [ -x "$CB_WORK/bin/cb-mirror" ] || gcc -O2 -Wall -Wextra -o "$CB_WORK/bin/cb-mirror" "$CB_WORK/src/cb-mirror.c" -lpcap
  if [ "$SKIP_BUILD" = 1 ]; then
    export SENSORFLEET_SKIP_BUILD=1
  else
    "$ROOT/sensorfleet" build
  fi
}

B() { "$CB_WORK/bench.py" --out "$OUT" --secs "$SECS" "$@"; }
engine() { B --method cmd --ready '^ready' --mirror-cmd "$ENGINE" "$@"; }

# per-consumer delivered kpps and loss at N = 1, 2, 4, 8, 64 B and 1514 B; top speed; the three methods
# interleaved. RX of cb-wire inline on the generator's CPU (--rps=), as the anchors in capture-bench.md.
mirror() {
  for r in $(seq "$REPS"); do for s in $SIZES; do for n in $NS; do
    B --method tc --n "$n" --size "$s" --rps= --tag tc-inline
    B --method cmirror --n "$n" --size "$s" --rps= --tag cmirror
    engine --n "$n" --size "$s" --rps= --tag engine
  done; done; done
}

# per-port pcap filters (port i: 'udp dst port 500(i-1)', 1/8 of the traffic each), N = 4, 64 B
filter() {
  for r in $(seq "$REPS"); do
    B --method cmirror --n 4 --size 64 --rps= --filter --tag cmirror-filter
    engine --n 4 --size 64 --rps= --filter --tag engine-filter
  done
}

# fixed offered rate: 100 kpps to N = 4 and 8, 64 B; fast consumers must see 0 % loss
rate() {
  for r in $(seq "$REPS"); do for n in 4 8; do
    B --method cmirror --n "$n" --size 64 --rps= --rate 100000 --tag cmirror-100k
    engine --n "$n" --size 64 --rps= --rate 100000 --tag engine-100k
  done; done
}

# slow consumer: cb-m1 shaped to 5 Mbit/s (tbf, so no qdisc bypass), 100 kpps, N = 4
slow() {
  for r in $(seq "$REPS"); do
    B --method cmirror --n 4 --size 64 --rps= --rate 100000 --slow1 5mbit --cmirror-args=-Q --tag cmirror-slow1
    B --method cmd --ready '^ready' --mirror-cmd "$ENGINE --no-qdisc-bypass" --n 4 --size 64 --rps= --rate 100000 \
      --slow1 5mbit --tag engine-slow1
  done
}

report() { python3 "$CB_WORK/report.py" "$OUT"; }

prepare
trap '"$CB_WORK/topo.sh" down' EXIT
sections=("$@")
[ ${#sections[@]} -eq 0 ] && sections=(mirror filter rate slow report)
for s in "${sections[@]}"; do
  echo "=== $s $(date +%T)"
  "$s"
done
