#!/usr/bin/env bash
# A private LXD daemon in its own directory, next to the system one (tests, CI).
#
#   lxd-private.sh start [DIR]        bring up a daemon in DIR (default: a new temporary directory),
#                                     initialised and with the Instrument images (scripts/setup.sh);
#                                     prints DIR. Then use it with LXD_DIR=DIR lxc ...
#   lxd-private.sh stop DIR [--purge] shut it down (its instances stop too) and wait until the
#                                     process has exited; --purge then deletes DIR
#   lxd-private.sh status DIR         exit 0 when a daemon answers in DIR (and print its pid)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() { echo "lxd-private: error: $*" >&2; exit 1; }
usage() { sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

private_dir() {
    [ -n "${1:-}" ] || die "give the daemon's directory (try --help)"
    local dir
    dir=$(realpath -m "$1")
    [ "$dir" != /var/lib/lxd ] || die "$dir is the system daemon's: stop that one with 'lxd shutdown' if you must"
    echo "$dir"
}

answers() { LXD_DIR=$1 lxd waitready --timeout 1 > /dev/null 2>&1; }

start() {
    local dir
    if [ -n "${1:-}" ]; then dir=$(private_dir "$1"); else dir=$(mktemp -d /tmp/sf-lxd.XXXXXX); fi
    LXD_DIR=$dir "$repo/scripts/setup.sh" >&2
    echo "$dir"
}

stop() {
    local dir pid i
    dir=$(private_dir "${1:-}")
    if answers "$dir"; then
        pid=$(LXD_DIR=$dir lxc query /1.0 | jq -r .environment.server_pid)
        LXD_DIR=$dir lxd shutdown --timeout 60 || die "lxd shutdown in $dir failed"
        # lxd shutdown can return before the process has gone.
        for ((i = 0; i < 100; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && die "the daemon in $dir (pid $pid) is still running 10 s after shutdown"
        echo "lxd-private: stopped the daemon in $dir (pid $pid)" >&2
    else
        echo "lxd-private: no daemon answers in $dir" >&2
    fi
    if [ "${2:-}" = --purge ]; then
        [ -d "$dir/database" ] || [ ! -e "$dir" ] || die "$dir does not look like an LXD directory; not deleting it"
        # What LXD left mounted (shmounts, devlxd, guest mounts), innermost first; then never
        # cross into another file system while deleting.
        findmnt -rn -o TARGET | awk -v d="$dir/" 'index($0, d) == 1' | sort -r | while read -r m; do
            umount "$m" 2>/dev/null || umount -l "$m"
        done
        rm -rf --one-file-system "$dir"
        echo "lxd-private: deleted $dir" >&2
    fi
}

case "${1:-}" in
    start) start "${2:-}" ;;
    stop) stop "${2:-}" "${3:-}" ;;
    status)
        dir=$(private_dir "${2:-}")
        if answers "$dir"; then
            echo "running in $dir (pid $(LXD_DIR=$dir lxc query /1.0 | jq -r .environment.server_pid))"
        else
            echo "no daemon answers in $dir"
            exit 1
        fi
        ;;
    -h | --help) usage ;;
    *) usage >&2; exit 2 ;;
esac
