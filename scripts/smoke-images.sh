#!/usr/bin/env bash
# Smoke test of the Instrument images, run by hand after scripts/setup.sh (honours LXD_DIR).
# Launches throwaway containers named sf-smoke-<pid>-*, with the settings the platform uses, checks
# them, and deletes them again, also on failure or Ctrl-C. Exit 0 when every check passed.
set -euo pipefail

prefix=sf-smoke-$$-
JVM_RAW_LXC='lxc.mount.auto = cgroup:mixed:force'
created=()
failures=0

JDK=${SF_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
work=$(mktemp -d /tmp/sf-smoke.XXXXXX)
cleanup() {
    local c i
    for c in "${created[@]}"; do
        # Right after a failed start LXD may still be aborting the instance: retry for a while.
        for ((i = 0; i < 20; i++)); do
            lxc delete --force "$c" > /dev/null 2>&1 && break
            lxc query "/1.0/instances/$c" > /dev/null 2>&1 || break
            sleep 0.5
        done
        lxc query "/1.0/instances/$c" > /dev/null 2>&1 && echo "smoke: could not delete $c: delete it by hand" >&2
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# check DESCRIPTION COMMAND...: runs COMMAND, prints ok/FAIL with its output on failure.
check() {
    local what=$1 out; shift
    if out=$("$@" 2>&1); then
        echo "ok   $what"
    else
        echo "FAIL $what"
        sed 's/^/     | /' <<< "$out"
        failures=$((failures + 1))
    fi
}

# create IMAGE NAME CONFIG...: lxc init with -c for each CONFIG, remembered for cleanup.
# LXD 5.0.2 can give an isolated container an idmap base below the subuid range (65536: start
# fails) or one already in use when others create containers at the same time
# (docs/lxd-setup.md); that is not what this test is about, so such a container is made again.
create() {
    local image=$1 name=$2 args=() kv try base; shift 2
    for kv in "$@"; do args+=(-c "$kv"); done
    created+=("$name")
    for ((try = 1; try <= 3; try++)); do
        quietly lxc init "$image" "$name" "${args[@]}"
        base=$(lxc config get "$name" volatile.idmap.base)
        idmap_base_ok "$name" "$base" && return 0
        echo "smoke: LXD gave $name idmap base $base (concurrent-creation race); creating it again" >&2
        quietly lxc delete --force "$name"
    done
    return 1
}
idmap_base_ok() { # NAME BASE: inside root's subuid range, and no other instance has it
    local first
    first=$(awk -F: '$1 == "root" { print $2; exit }' /etc/subuid)
    [ -z "$2" ] || [ "$2" = 0 ] && return 0 # not isolated
    [ "$2" -ge "${first:-100000}" ] || return 1
    ! lxc query '/1.0/instances?recursion=1' |
        jq -e --arg n "$1" --arg b "$2" 'any(.[]; .name != $n and .config["volatile.idmap.base"] == $b)' > /dev/null
}
start() { quietly lxc start "$1"; }
# lxc prints progress and "doesn't have any network attached" (harmless): show it only on failure.
quietly() {
    local out
    out=$("$@" 2>&1) || { echo "smoke: $* failed: $out" >&2; return 1; }
}

in_c() { local c=$1; shift; lxc exec "$c" -- "$@"; }
as_instrument() {
    local c=$1; shift
    lxc exec "$c" --user 1000 --group 1000 --cwd /var/lib/instrument --env HOME=/var/lib/instrument -- "$@"
}
stopped_within() { # NAME SECONDS
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        [ "$(lxc list "^$1\$" -c s -f csv)" = STOPPED ] && return 0
        sleep 0.1
    done
    return 1
}

for name in base jvm; do
    lxc query "/1.0/images/aliases/sensorfleet/$name" > /dev/null 2>&1 ||
        { echo "smoke: image sensorfleet/$name is missing: run scripts/setup.sh first" >&2; exit 1; }
done

# --- sensorfleet/base ------------------------------------------------------------------------
c=${prefix}base
echo "# sensorfleet/base as $c (security.idmap.isolated=true)"
create sensorfleet/base "$c" security.idmap.isolated=true
start "$c"
check "lo is up" sh -c "lxc exec $c -- ip -o link show lo | grep -q '<LOOPBACK,UP'"
check "127.0.0.1 answers" in_c "$c" ping -c 1 -W 2 127.0.0.1
check "instrument user is uid/gid 1000" sh -c "[ \"\$(lxc exec $c -- id instrument)\" = 'uid=1000(instrument) gid=1000(instrument) groups=1000(instrument)' ]"
check "/etc/hosts has localhost and the container's name" \
    sh -c "lxc exec $c -- cat /etc/hosts | grep -q '^127.0.0.1[[:space:]]localhost' && lxc exec $c -- cat /etc/hosts | grep -q '^127.0.1.1[[:space:]]$c\$'"
check "instrument owns only /run/instrument and /var/lib/instrument" \
    sh -c "[ \"\$(lxc exec $c -- find / -xdev -user instrument | sort | tr '\n' ' ')\" = '/run/instrument /var/lib/instrument ' ]"
check "no setuid or setgid files" sh -c "[ -z \"\$(lxc exec $c -- find / -xdev -perm /6000)\" ]"
check "instrument can write its home, not /etc" \
    as_instrument "$c" sh -c 'touch /var/lib/instrument/w && ! touch /etc/w 2>/dev/null'
check "no entrypoint: idle, only init and nothing respawning" sh -c "[ \"\$(lxc exec $c -- ps -o comm | sed 1d | grep -cv -e '^ps\$' -e '^init\$')\" = 0 ]"

c=${prefix}entry
echo "# sensorfleet/base with an entrypoint, as $c"
create sensorfleet/base "$c" security.idmap.isolated=true environment.SMOKE=yes
printf '#!/bin/sh\n{ id; grep -E "^(NoNewPrivs|CapEff)" /proc/self/status; echo "SMOKE=$SMOKE HOME=$HOME"; } > /run/instrument/report\nsleep 1\nexit 7\n' |
    lxc file push --mode 0755 - "$c/etc/sensorfleet/entrypoint"
start "$c"
check "the container powers off when the entrypoint exits" stopped_within "$c" 15
check "exit status recorded in /var/lib/sensorfleet/exit-status" \
    sh -c "[ \"\$(lxc file pull $c/var/lib/sensorfleet/exit-status -)\" = 7 ]"
report=$(lxc file pull "$c/run/instrument/report" - 2>&1 || true)
has() { grep -q "$1" <<< "$report" || { echo "$report"; return 1; }; }
check "entrypoint ran as instrument" has '^uid=1000(instrument) gid=1000(instrument)'
check "entrypoint has no capabilities" has 'CapEff:.0000000000000000'
check "entrypoint has no_new_privs" has 'NoNewPrivs:.1'
check "entrypoint got environment.* and HOME" has 'SMOKE=yes HOME=/var/lib/instrument'


# --- sensorfleet/jvm -------------------------------------------------------------------------
c=${prefix}jvm
echo "# sensorfleet/jvm as $c (limits.memory=256MiB, limits.cpu=1, raw.lxc $JVM_RAW_LXC)"
create sensorfleet/jvm "$c" security.idmap.isolated=true limits.memory=256MiB limits.cpu=1 "raw.lxc=$JVM_RAW_LXC"
start "$c"
check "lo is up" sh -c "lxc exec $c -- ip -o link show lo | grep -q '<LOOPBACK,UP'"
check "java -version as instrument" as_instrument "$c" java -version
heap=$(as_instrument "$c" java -XX:+PrintFlagsFinal -version 2>/dev/null | awk '$2 == "MaxHeapSize" { print $4 }')
echo "     MaxHeapSize = $heap bytes ($((${heap:-0} / 1048576)) MiB)"
check "MaxHeapSize is well under 256 MiB" test "${heap:-999999999999}" -lt $((200 * 1048576))
check "the JVM sees 1 CPU" sh -c "lxc exec $c -- java -XshowSettings:system -version 2>&1 | grep -q 'Effective CPU Count: 1'"

c=${prefix}app
echo "# sensorfleet/jvm running a jar the way the platform will (docs/lxd-setup.md), as $c"
mkdir -p "$work/src" "$work/prog"
cat > "$work/src/Hello.java" <<'EOF'
public class Hello {
  public static void main(String[] a) throws Exception {
    System.out.println("hello from " + System.getProperty("user.name") + " on " + java.net.InetAddress.getLocalHost()
        + " cpus=" + Runtime.getRuntime().availableProcessors() + " id=" + System.getenv("SF_INSTRUMENT_ID"));
  }
}
EOF
"$JDK/bin/javac" -d "$work/classes" "$work/src/Hello.java"
"$JDK/bin/jar" --create --file "$work/prog/instrument.jar" --main-class Hello -C "$work/classes" .
create sensorfleet/jvm "$c" security.idmap.isolated=true security.devlxd=false limits.memory=256MiB \
    limits.cpu=1 limits.processes=200 "raw.lxc=$JVM_RAW_LXC" environment.SF_INSTRUMENT_ID=smoke
quietly lxc config device add "$c" prog disk source="$work/prog" path=/opt/instrument readonly=true
printf '#!/bin/sh\nexec java -jar /opt/instrument/instrument.jar\n' |
    lxc file push --uid 0 --gid 0 --mode 0755 - "$c/etc/sensorfleet/entrypoint"
start "$c"
check "the jar ran and the container powered off" stopped_within "$c" 30
check "exit status 0" sh -c "[ \"\$(lxc file pull $c/var/lib/sensorfleet/exit-status -)\" = 0 ]"
console=$(lxc console "$c" --show-log 2>&1 || true)
check "jar ran as instrument, resolved its host name, saw 1 CPU and its environment" \
    grep -q "hello from instrument on $c/127.0.1.1 cpus=1 id=smoke" <<< "$console"

if [ "$failures" -eq 0 ]; then
    echo "smoke: all checks passed"
else
    echo "smoke: $failures check(s) failed"
    exit 1
fi
