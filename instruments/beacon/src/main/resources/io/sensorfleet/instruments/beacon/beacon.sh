#!/bin/sh
# SensorFleet's stand-in escape beacon, version 1 (busybox sh). Tries to open a TCP connection to each target, one
# after the other, prints one line per attempt with its result, then waits INTERVAL seconds and starts again.
# usage: beacon.sh INTERVAL HOST:PORT...
# A line reads: beacon v1 attempt 10.9.1.100:8080 reached   (or: ... blocked)
VERSION=1
interval=${1:-5}
shift
while :; do
    for target in "$@"; do
        host=${target%:*}
        port=${target##*:}
        # -e runs a program once connected: success means the handshake completed; -w bounds the connect.
        if nc -w 2 "$host" "$port" -e /bin/true </dev/null >/dev/null 2>&1; then
            result=reached
        else
            result=blocked
        fi
        echo "beacon v$VERSION attempt $target $result"
    done
    sleep "$interval"
done
