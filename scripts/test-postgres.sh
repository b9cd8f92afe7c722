#!/usr/bin/env bash
# A throwaway PostgreSQL for the integration tests: Debian's server package, a private cluster in a temporary
# directory, listening on 127.0.0.1 only, trust authentication for the test role. Idempotent install.
#
#   scripts/test-postgres.sh start DIR   installs postgresql if missing, starts a cluster in DIR, prints
#                                        `export SENSORFLEET_IT_POSTGRES_URL=...` lines for eval
#   scripts/test-postgres.sh stop DIR    stops that cluster (a no-op when it is not running)
set -euo pipefail

say() { printf 'test-postgres: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

pg_bin() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [[ -n "$d" && -x "$d/initdb" ]] && echo "$d"
}

install_server() {
  [[ -n "$(pg_bin || true)" ]] && return
  [[ $(id -u) -eq 0 ]] || die "PostgreSQL is not installed and this is not root: apt-get install postgresql"
  command -v apt-get >/dev/null || die "PostgreSQL is not installed and there is no apt-get"
  say "installing Debian's postgresql (about 20 s)..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; } \
    || die "apt-get install postgresql failed"
}

free_port() {
  local p
  for p in $(seq 55432 55532); do
    if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "$p"; return; fi
  done
  die "no free port in 55432-55532"
}

as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local dir="$1" bin port
  install_server
  bin="$(pg_bin)"
  mkdir -p "$dir"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
  if [[ ! -f "$dir/PG_VERSION" ]]; then
    as_postgres "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 >/dev/null
  fi
  port="$(free_port)"
  as_postgres "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null \
    || die "PostgreSQL did not start; see $dir/server.log"
  as_postgres "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE ROLE sensorfleet_it LOGIN" >/dev/null
  as_postgres "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc \
    "CREATE DATABASE sensorfleet_it OWNER sensorfleet_it" >/dev/null
  echo "export SENSORFLEET_IT_POSTGRES_URL=jdbc:postgresql://127.0.0.1:$port/sensorfleet_it"
  echo "export SENSORFLEET_IT_POSTGRES_USER=sensorfleet_it"
  say "PostgreSQL for tests on 127.0.0.1:$port (data in $dir)"
}

stop() {
  local dir="$1" bin
  bin="$(pg_bin || true)"
  [[ -n "$bin" && -f "$dir/postmaster.pid" ]] || return 0
  as_postgres "$bin/pg_ctl" -D "$dir" -m immediate -w stop >/dev/null 2>&1 || true
}

case "${1:-}" in
  start) [[ $# -eq 2 ]] || die "usage: $0 start DIR"; start "$2" ;;
  stop)  [[ $# -eq 2 ]] || die "usage: $0 stop DIR"; stop "$2" ;;
  *) die "usage: $0 start|stop DIR" ;;
esac
