#!/usr/bin/env bash
# The demo's vendor portal and egress segment (./sensorfleet demo runs it; root). Idempotent.
#
#   demo-portal.sh up DATA JAVA     bridge br-egress (the Downloader's way out, as sensor.bridges declares it), a
#                                   network namespace sf-portal on it at 10.254.0.100/24 serving DATA/portal/files/
#                                   on port 8080 (scripts/portal/Portal.java), beacon.sh v1 there if missing. The
#                                   bridged demo Instruments' addresses (downloader 10.254.0.2, beacon-control
#                                   10.254.0.3) are in their manifests; the platform sets them at every start
#   demo-portal.sh down             stops the portal, deletes the namespace and the bridge
#
# Publish a new beacon on the portal:  sed -i 's/^VERSION=.*/VERSION=2/' DATA/portal/files/beacon.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IP=/usr/sbin/ip
BRIDGE=br-egress
NS=sf-portal
PORTAL=10.254.0.100

up() {
  local data="$1" java="$2"
  if ! $IP link show "$BRIDGE" >/dev/null 2>&1; then
    $IP link add "$BRIDGE" type bridge
  fi
  $IP link set "$BRIDGE" up
  if ! $IP netns list | grep -qw "$NS"; then
    $IP netns add "$NS"
    $IP -n "$NS" link set lo up
    $IP link add sf-portal0 type veth peer name sf-portal1
    $IP link set sf-portal1 netns "$NS"
    $IP -n "$NS" link set sf-portal1 name eth0
    $IP -n "$NS" addr add "$PORTAL/24" dev eth0
    $IP -n "$NS" link set eth0 up
    $IP link set sf-portal0 master "$BRIDGE"
    $IP link set sf-portal0 up
  fi
  mkdir -p "$data/portal/files"
  if [[ ! -f "$data/portal/files/beacon.sh" ]]; then
    sed 's/^VERSION=1$/VERSION=1-portal/' \
      "$ROOT/instruments/beacon/src/main/resources/io/sensorfleet/instruments/beacon/beacon.sh" \
      > "$data/portal/files/beacon.sh"
  fi
  local pidfile="$data/portal/portal.pid"
  if [[ ! -f "$pidfile" ]] || ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    # nsenter --net, not `ip netns exec`: that also gives the portal a mount namespace of its own, a private copy
    # of every mount of the host at that moment (the Instruments' storage mounts among them, this sensor's and any
    # other's), held for as long as the portal runs; closing such storage is then refused as in use.
    nohup nsenter --net="/run/netns/$NS" "$java" "$ROOT/scripts/portal/Portal.java" "$data/portal/files" 8080 \
      >"$data/portal/portal.log" 2>&1 &
    echo $! > "$pidfile"
  fi
  echo "demo: vendor portal on http://$PORTAL:8080/files/ (namespace $NS, bridge $BRIDGE), serving $data/portal/files"
}

down() {
  local data="${1:-}"
  if [[ -n "$data" && -f "$data/portal/portal.pid" ]]; then kill "$(cat "$data/portal/portal.pid")" 2>/dev/null || true; fi
  $IP netns del "$NS" 2>/dev/null || true
  $IP link del sf-portal0 2>/dev/null || true
  $IP link del "$BRIDGE" 2>/dev/null || true
}

case "${1:-}" in
  up) shift; up "$@" ;;
  down) shift; down "$@" ;;
  *) echo "usage: $0 up DATA JAVA | down [DATA]" >&2; exit 2 ;;
esac
