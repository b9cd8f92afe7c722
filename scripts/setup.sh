#!/usr/bin/env bash
# Idempotent machine setup for SensorFleet: LXD and the Instrument base images (docs/lxd-setup.md).
set -euo pipefail

usage() {
    cat <<'EOF'
usage: scripts/setup.sh [--check] [--help]

Without flags: installs what is missing (lxd, busybox-static, btrfs-progs, gocryptfs, jq, nftables,
libpcap0.8), starts the LXD daemon when it is not running, initialises it when it has no storage pool (dir pool `default`,
no managed network, root disk in the default profile), and builds and imports the Instrument images
sensorfleet/base and sensorfleet/jvm when they are missing or their inputs changed. A second run
changes nothing. Needs root.

  --check   only report; exit 0 when everything is ready, 1 otherwise (changes nothing)

Environment:
  LXD_DIR       daemon directory; set it (e.g. LXD_DIR=$(mktemp -d)) to bring up a private daemon
                there instead of the system one. Stop it with: scripts/lxd-private.sh stop DIR
  SF_CACHE_DIR  where built image tarballs are kept (default /var/cache/sensorfleet)
  SF_JDK        JDK that sensorfleet/jvm is linked from (default /usr/lib/jvm/temurin-25-jdk-amd64)
  SF_STORAGE_POOL  btrfs pool of the Instruments' volumes, created when missing (default sensorfleet)
  SF_STORAGE_SIZE  its size, the loop file's limit: all Instruments together (default 16GiB)
EOF
}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# libpcap0.8: the Capture Engine compiles pcap filters with Debian's libpcap through FFM (docs/capture.md).
# chromium: the web console's browser tests (it/browser, Playwright's playwright-core drives /usr/bin/chromium).
PACKAGES=(lxd busybox-static btrfs-progs gocryptfs jq nftables libpcap0.8 chromium)
IMAGES=(base jvm)
ALIAS_PREFIX=sensorfleet/
# Rough durations for the progress lines, measured on a 2-core VM (docs/lxd-setup.md).
declare -A BUILD_SECONDS=([base]=2 [jvm]=15)
SYSTEM_LXD_DIR=/var/lib/lxd
CACHE=${SF_CACHE_DIR:-/var/cache/sensorfleet}/images

check=false
case "${1:-}" in
    "") ;;
    --check) check=true ;;
    -h | --help) usage; exit 0 ;;
    *) echo "setup: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac
[ $# -le 1 ] || { echo "setup: too many arguments (try --help)" >&2; exit 2; }

say() { echo "setup: $*" >&2; }
die() { echo "setup: error: $*" >&2; exit 1; }
problems=0
# --check: one line per item; not ready counts a problem.
report() {
    local state=$1; shift
    echo "setup: $state: $*"
    [ "$state" = ok ] || problems=$((problems + 1))
}

[ "$(id -u)" -eq 0 ] || die "must run as root (LXD and apt need it): sudo $0"

# An LXD_DIR equal to the system one is the system daemon: unset it, or lxd would put its logs and
# cache under it instead of /var/log/lxd and /var/cache/lxd.
if [ -n "${LXD_DIR:-}" ]; then
    LXD_DIR=$(realpath -m "$LXD_DIR")
    if [ "$LXD_DIR" = "$SYSTEM_LXD_DIR" ]; then unset LXD_DIR; else export LXD_DIR; fi
fi
lxd_dir=${LXD_DIR:-$SYSTEM_LXD_DIR}
private=false
[ -n "${LXD_DIR:-}" ] && private=true

# ---------------------------------------------------------------------------------------------
# 1. Packages

missing_packages() {
    if command -v dpkg-query > /dev/null; then
        local installed
        installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${PACKAGES[@]}" 2>/dev/null |
            awk '$2 == "installed" { print $1 }' || true)
        local p
        for p in "${PACKAGES[@]}"; do
            grep -qx "$p" <<< "$installed" || echo "$p"
        done
    else
        # Not Debian: judge by the commands the packages provide.
        command -v lxd > /dev/null || echo lxd
        [ -x /bin/busybox ] || echo busybox-static
        command -v mkfs.btrfs > /dev/null || echo btrfs-progs
        command -v gocryptfs > /dev/null || echo gocryptfs
        command -v jq > /dev/null || echo jq
        # Network containment (docs/network.md); Debian's nftables.service is not enabled: it flushes the ruleset.
        [ -x /usr/sbin/nft ] || echo nftables
        ldconfig -p 2>/dev/null | grep -q 'libpcap\.so\.0\.8' || echo libpcap0.8
        [ -x /usr/bin/chromium ] || echo chromium
    fi
}

mapfile -t missing < <(missing_packages)
if $check; then
    if [ ${#missing[@]} -eq 0 ]; then report ok "packages (${PACKAGES[*]})"; else report missing "packages: ${missing[*]}"; fi
elif [ ${#missing[@]} -gt 0 ]; then
    command -v apt-get > /dev/null ||
        die "missing ${missing[*]} and no apt-get to install them: install them with your package manager, then re-run"
    aptlog=$(mktemp /tmp/sensorfleet-setup-apt.XXXXXX.log)
    say "installing ${missing[*]} (about 20 s)…"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q > "$aptlog" 2>&1 ||
        die "apt-get update failed (log: $aptlog): check the package mirror in /etc/apt/sources.list"
    apt-get install -y -q --no-install-recommends "${missing[@]}" >> "$aptlog" 2>&1 ||
        die "apt-get install ${missing[*]} failed (log: $aptlog): fix apt, then re-run"
    rm -f "$aptlog"
    mapfile -t missing < <(missing_packages)
    [ ${#missing[@]} -eq 0 ] || die "apt-get did not install ${missing[*]}: install them by hand, then re-run"
fi

# The Capture Engine's own account: it runs as this user with CAP_NET_RAW only (setpriv; docs/capture.md).
CAPTURE_USER=sensorfleet-capture
if id -u "$CAPTURE_USER" > /dev/null 2>&1; then
    $check && report ok "user $CAPTURE_USER"
elif $check; then
    report missing "user $CAPTURE_USER (the Capture Engine runs as it)"
else
    say "creating the system user $CAPTURE_USER (the Capture Engine runs as it)…"
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
        "$CAPTURE_USER" || die "useradd $CAPTURE_USER failed"
fi

# node >= 20.19 with npm: Maven builds the web console (console/, Vite) and installs the browser tests' tooling
# (it/browser) with them. Not installed here: Debian 12's nodejs (18) is too old for Vite.
node_ok() {
    command -v npm > /dev/null && node -e 'const [a, b] = process.versions.node.split(".").map(Number);
        process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2> /dev/null
}
if $check; then
    if node_ok; then report ok "node $(node -v) and npm"; else report missing "node >= 20.19 with npm (the web console's build)"; fi
elif ! node_ok; then
    die "node >= 20.19 with npm builds the web console (console/): install it (nodejs.org or NodeSource; Debian 12's nodejs is too old), then re-run"
fi

if $check && ! { command -v lxd && command -v jq; } > /dev/null; then
    echo "setup: $problems problem(s); run scripts/setup.sh to fix them"
    exit 1
fi

# ---------------------------------------------------------------------------------------------
# 2. Daemon

# No socket: not running (and no need to wait a second to learn it).
daemon_ready() { [ -S "$lxd_dir/unix.socket" ] && lxd waitready --timeout "${1:-1}" > /dev/null 2>&1; }

start_daemon() {
    if ! $private && [ -d /run/systemd/system ]; then
        say "starting LXD (systemctl start lxd)…"
        systemctl start lxd.socket lxd.service > /dev/null 2>&1 || true
        daemon_ready 60 || die "LXD did not become ready within 60 s: see journalctl -u lxd"
        return
    fi
    local log out pid
    if $private; then
        mkdir -p "$lxd_dir" 2>/dev/null || die "cannot create LXD_DIR=$lxd_dir: give a directory path that root can create"
        log=$lxd_dir/lxd.log
    else
        mkdir -p /var/log/lxd
        log=/var/log/lxd/lxd.log
    fi
    out=${log%.log}.out
    say "starting the LXD daemon (LXD_DIR=$lxd_dir, log $log)…"
    # A new session (setsid; not a process group leader here, so it execs without forking and $! is
    # lxd's pid), stdio to files, no inherited descriptors: the daemon outlives this script and the
    # shell that called it, and holds none of their pipes or our lock open.
    (
        cd /
        for fd in /proc/$BASHPID/fd/*; do
            fd=${fd##*/}
            [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null
        done
        exec setsid lxd --group root --logfile "$log"
    ) < /dev/null >> "$out" 2>&1 &
    pid=$!
    disown
    local deadline=$((SECONDS + 60))
    while ((SECONDS < deadline)); do
        daemon_ready 1 && return
        if ! kill -0 "$pid" 2>/dev/null; then
            # Another lxd may have won a start race ("LXD is already running").
            sleep 1
            daemon_ready 5 && return
            die "the LXD daemon exited at start ($(tail -n1 "$out" 2>/dev/null)); see $out"
        fi
        sleep 0.1
    done
    die "LXD did not become ready within 60 s (LXD_DIR=$lxd_dir): see $log"
}

# Serialise everything that changes this daemon. Measured: two lxd started at once on a fresh
# LXD_DIR both hang ("Dqlite: no known leader"), and two imports would race on the alias.
if ! $check; then
    lockdir=/run/lock; [ -d "$lockdir" ] || lockdir=/tmp
    lock=$lockdir/sensorfleet-setup-$(printf %s "$lxd_dir" | sha256sum | cut -c1-16).lock
    exec 9> "$lock"
    flock -w 600 9 || die "another scripts/setup.sh has held $lock for 10 minutes: is it stuck?"
fi

if ! daemon_ready; then
    if $check; then
        report "not running" "LXD daemon (LXD_DIR=$lxd_dir)"
        echo "setup: $problems problem(s); run scripts/setup.sh to fix them"
        exit 1
    fi
    start_daemon
elif $check; then
    report ok "LXD daemon (LXD_DIR=$lxd_dir, $(lxc query /1.0 | jq -r '"LXD \(.environment.server_version), pid \(.environment.server_pid)"'))"
fi

# ---------------------------------------------------------------------------------------------
# 3. Storage pool and default profile

PRESEED='config: {}
networks: []
storage_pools:
- name: default
  driver: dir
  config: {}
profiles:
- name: default
  devices:
    root:
      path: /
      pool: default
      type: disk'

pools=$(lxc query /1.0/storage-pools | jq length)
if [ "$pools" -eq 0 ]; then
    if $check; then
        report missing "storage pool (LXD is not initialised)"
    else
        say "initialising LXD (dir pool 'default', no network)…"
        err=$(lxd init --preseed <<< "$PRESEED" 2>&1) || die "lxd init --preseed failed: $err"
    fi
fi
if $check && [ "$pools" -eq 0 ]; then
    :
elif lxc query /1.0/profiles/default |
    jq -e '.devices | to_entries | any(.value.type == "disk" and .value.path == "/")' > /dev/null; then
    $check && report ok "storage pool and root disk in the default profile"
else
    msg="the default profile has no root disk; add one: lxc profile device add default root disk path=/ pool=POOL"
    if $check; then report missing "$msg"; else die "$msg"; fi
fi

# ---------------------------------------------------------------------------------------------
# 4. Images

# Every image (fingerprint, alias names, our properties) in one call.
images_json() {
    lxc query '/1.0/images?recursion=1' |
        jq -c '[.[] | {fp: .fingerprint, aliases: [.aliases[]?.name],
                       image: (.properties["sensorfleet.image"] // ""),
                       inputs: (.properties["sensorfleet.inputs"] // "")}]'
}

# The tarballs for NAME at input hash WANT: from the cache, or built now. Prints their directory.
built() {
    local name=$1 want=$2 dir tmp fp
    dir=$CACHE/$name-$want
    if [ -s "$dir/fingerprint" ] &&
        [ "$(cat "$dir/meta.tar.gz" "$dir/rootfs.tar.gz" | sha256sum | cut -d' ' -f1)" = "$(cat "$dir/fingerprint")" ]; then
        echo "$dir"
        return
    fi
    mkdir -p "$CACHE"
    tmp=$(mktemp -d "$CACHE/.build-$name.XXXXXX")
    say "building image $ALIAS_PREFIX$name (about ${BUILD_SECONDS[$name]} s)…"
    if ! fp=$("$repo/scripts/build-image.sh" build "$name" "$tmp"); then
        rm -rf "$tmp"
        die "building $ALIAS_PREFIX$name failed (see the messages above)"
    fi
    echo "$fp" > "$tmp/fingerprint"
    rm -rf "$CACHE/$name-"* # older builds of this image
    mv "$tmp" "$dir"
    echo "$dir"
}

json=$(images_json)
for name in "${IMAGES[@]}"; do
    alias=$ALIAS_PREFIX$name
    want=$("$repo/scripts/build-image.sh" inputs "$name")
    current=$(jq -r --arg a "$alias" '.[] | select(.aliases | index($a)) | "\(.fp) \(.inputs)"' <<< "$json")
    cur_fp=${current%% *}
    if [ -n "$current" ] && [ "${current#* }" = "$want" ]; then
        $check && report ok "image $alias (${cur_fp:0:12})"
        continue
    fi
    if $check; then
        if [ -n "$current" ]; then report stale "image $alias (inputs changed)"; else report missing "image $alias"; fi
        continue
    fi
    dir=$(built "$name" "$want")
    fp=$(cat "$dir/fingerprint")
    # Import is not idempotent (same fingerprint: error), so import only what LXD lacks.
    if ! jq -e --arg f "$fp" 'any(.[]; .fp == $f)' <<< "$json" > /dev/null; then
        say "importing $alias…"
        err=$(lxc image import "$dir/meta.tar.gz" "$dir/rootfs.tar.gz" 2>&1) || die "lxc image import failed: $err"
        lxc query "/1.0/images/$fp" > /dev/null 2>&1 || die "LXD imported $alias under an unexpected fingerprint: $err"
    fi
    # Point the alias at the new image in one step (PUT retargets it; it never dangles).
    body=$(jq -cn --arg f "$fp" --arg n "$name" '{target: $f, description: "SensorFleet Instrument image \($n)"}')
    if [ -n "$current" ]; then
        lxc query -X PUT "/1.0/images/aliases/$alias" --data "$body" > /dev/null
    else
        lxc query -X POST /1.0/images/aliases --data "$(jq -c --arg a "$alias" '. + {name: $a}' <<< "$body")" > /dev/null
    fi
    say "image $alias is ${fp:0:12}"
    json=$(images_json)
done

# Images we built that no alias points to any more: replaced ones, or from an interrupted run.
for fp in $(jq -r '.[] | select(.image != "" and (.aliases | length) == 0) | .fp' <<< "$json"); do
    if $check; then
        report leftover "image ${fp:0:12} (no alias; setup deletes it)"
    else
        lxc image delete "$fp"
        say "deleted unused image ${fp:0:12}"
    fi
done

# ---------------------------------------------------------------------------------------------
# 5. Instrument storage (docs/storage.md): fusermount for gocryptfs, and the btrfs pool on a loop
#    file that holds one quota'd volume per Instrument. The loop file bounds all Instruments
#    together, so together they can never fill the disk the sensor's journal is on.

STORAGE_POOL=${SF_STORAGE_POOL:-sensorfleet}
STORAGE_SIZE=${SF_STORAGE_SIZE:-16GiB}

# gocryptfs 2.3 mounts through fusermount; Debian's gocryptfs package depends only on libfuse2,
# so fuse3 (which provides fusermount) must be asked for.
if command -v fusermount > /dev/null; then
    $check && report ok "fusermount (fuse3)"
elif $check; then
    report missing "fusermount (package fuse3)"
else
    command -v apt-get > /dev/null ||
        die "fusermount is missing and there is no apt-get: install fuse3 (or fuse), then re-run"
    aptlog=$(mktemp /tmp/sensorfleet-setup-apt.XXXXXX.log)
    say "installing fuse3 (fusermount, for gocryptfs; about 7 s)…"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q --no-install-recommends fuse3 > "$aptlog" 2>&1; then
        apt-get update -q >> "$aptlog" 2>&1 ||
            die "apt-get update failed (log: $aptlog): check the package mirror in /etc/apt/sources.list"
        apt-get install -y -q --no-install-recommends fuse3 >> "$aptlog" 2>&1 ||
            die "apt-get install fuse3 failed (log: $aptlog): fix apt, then re-run"
    fi
    rm -f "$aptlog"
    command -v fusermount > /dev/null || die "fuse3 is installed but there is no fusermount: install fuse, then re-run"
fi

[[ $STORAGE_SIZE =~ ^[1-9][0-9]*(MiB|GiB|TiB)$ ]] ||
    die "SF_STORAGE_SIZE='$STORAGE_SIZE' is not a size like 16GiB (MiB, GiB or TiB)"
if pool_driver=$(lxc query "/1.0/storage-pools/$STORAGE_POOL" 2>/dev/null | jq -r .driver); then
    if [ "$pool_driver" != btrfs ]; then
        msg="storage pool $STORAGE_POOL is '$pool_driver', not btrfs: it would not enforce the Instruments' quotas; delete it or set SF_STORAGE_POOL"
        if $check; then report wrong "$msg"; else die "$msg"; fi
    elif $check; then
        report ok "storage pool $STORAGE_POOL (btrfs, $(lxc query "/1.0/storage-pools/$STORAGE_POOL" | jq -r '.config.size // "no size"'))"
    fi
elif $check; then
    report missing "storage pool $STORAGE_POOL (btrfs on a loop file, $STORAGE_SIZE)"
else
    # The loop file is sparse: it grows as Instruments write. If the disk has less room than the
    # pool's size, the pool would no longer be the limit.
    want=$(numfmt --from=iec-i "${STORAGE_SIZE%B}")
    avail=$(df --output=avail -B1 "$lxd_dir" | tail -n1 | tr -d ' ')
    [ "$avail" -gt "$want" ] ||
        die "storage pool $STORAGE_POOL needs $STORAGE_SIZE but only $(numfmt --to=iec-i "$avail")B is free under $lxd_dir: set a smaller SF_STORAGE_SIZE"
    say "creating storage pool $STORAGE_POOL (btrfs on a $STORAGE_SIZE loop file)…"
    err=$(lxc storage create "$STORAGE_POOL" btrfs size="$STORAGE_SIZE" 2>&1) ||
        die "lxc storage create $STORAGE_POOL btrfs failed: $err"
fi

if $check; then
    if [ "$problems" -eq 0 ]; then
        echo "setup: ready"
    else
        echo "setup: $problems problem(s); run scripts/setup.sh to fix them"
        exit 1
    fi
fi
