#!/usr/bin/env bash
# Builds a SensorFleet Instrument image in LXD's split format (metadata and rootfs tarballs), offline.
#
#   build-image.sh inputs NAME          print the hash of NAME's inputs (what setup.sh compares)
#   build-image.sh build NAME OUTDIR    write OUTDIR/meta.tar.gz and OUTDIR/rootfs.tar.gz, print the
#                                       LXD fingerprint (sha256 of the two files, in that order)
#
# NAME is `base` (busybox rootfs, images/base) or `jvm` (base plus a jlink runtime of the host's
# JDK and the glibc files it needs, images/jvm). Inputs: this script, every file under the image's
# layers, the busybox binary and, for jvm, the JDK's `release` file and the listed host libraries.
# Builds are reproducible: fixed mtimes, owners and order, so the same inputs give the same fingerprint.
# Environment: SF_BUSYBOX (default /bin/busybox), SF_JDK (default /usr/lib/jvm/temurin-25-jdk-amd64).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUSYBOX=${SF_BUSYBOX:-/bin/busybox}
JDK=${SF_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
LIBDIR=/lib/x86_64-linux-gnu
EPOCH=1767225600 # 2026-01-01: every mtime and the creation date, for reproducible fingerprints
UID_INSTRUMENT=1000

die() { echo "build-image: error: $*" >&2; exit 1; }

layers() {
    case $1 in
        base) echo base ;;
        jvm) echo base jvm ;;
        *) die "unknown image '$1' (known: base, jvm)" ;;
    esac
}

# Non-comment lines of a list file.
list() { grep -v -e '^#' -e '^[[:space:]]*$' "$1"; }

inputs() {
    local name=$1 layer f
    [ -x "$BUSYBOX" ] || die "$BUSYBOX is missing (install busybox-static)"
    {
        echo "sensorfleet-image $name"
        (cd "$repo" && sha256sum scripts/build-image.sh)
        for layer in $(layers "$name"); do
            (cd "$repo" && find "images/$layer" \( -type f -o -type l \) | LC_ALL=C sort) | while read -r f; do
                # git keeps only the executable bit, so that is the only mode that counts.
                if [ -x "$repo/$f" ]; then echo "x $f"; else echo "- $f"; fi
                if [ -L "$repo/$f" ]; then readlink "$repo/$f"; else sha256sum < "$repo/$f"; fi
            done
        done
        echo busybox; sha256sum < "$BUSYBOX"
        if [ "$name" = jvm ]; then
            [ -f "$JDK/release" ] || die "no JDK at $JDK (set SF_JDK)"
            cat "$JDK/release"
            for f in $(list "$repo/images/jvm/libs"); do echo "$f"; sha256sum < "$LIBDIR/$f"; done
        fi
    } | sha256sum | cut -d' ' -f1
}

# Copy a layer's rootfs overlay with explicit modes: executables 0755, /etc/shadow 0600, others 0644.
overlay() {
    local src=$1 root=$2 f mode
    [ -d "$src" ] || return 0
    (cd "$src" && find . -type f | LC_ALL=C sort) | while read -r f; do
        mode=0644
        [ -x "$src/$f" ] && mode=0755
        [ "$f" = ./etc/shadow ] && mode=0600
        install -D -m "$mode" -o 0 -g 0 "$src/$f" "$root/$f"
    done
}

base_rootfs() {
    local root=$1 applet
    install -d -m 0755 "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,dev,proc,sys,etc/sensorfleet,mnt,opt}
    install -d -m 0755 "$root"/{run,run/sensorfleet,var,var/lib,var/lib/sensorfleet,var/log}
    install -d -m 1777 "$root"/{tmp,var/tmp}
    install -d -m 0700 "$root/root"
    # The only places the Instrument user owns.
    install -d -m 0750 -o "$UID_INSTRUMENT" -g "$UID_INSTRUMENT" "$root"/{run/instrument,var/lib/instrument}
    install -m 0755 "$BUSYBOX" "$root/bin/busybox"
    for applet in $("$root/bin/busybox" --list-full); do
        case $applet in */*) ;; *) continue ;; esac # skips `linuxrc`
        [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
    done
    overlay "$repo/images/base/rootfs" "$root"
}

jvm_layer() {
    local root=$1 modules lib elf needed
    modules=$(list "$repo/images/jvm/modules" | paste -sd, -)
    "$JDK/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
        --compress=zip-6 --output "$root/opt/java"
    install -d -m 0755 "$root/usr/lib/x86_64-linux-gnu" "$root/usr/lib64"
    ln -s usr/lib "$root/lib"
    ln -s usr/lib64 "$root/lib64"
    for lib in $(list "$repo/images/jvm/libs"); do
        install -m 0755 "$LIBDIR/$lib" "$root/usr/lib/x86_64-linux-gnu/$lib"
    done
    ln -s ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$root/usr/lib64/ld-linux-x86-64.so.2"
    ln -s /opt/java/bin/java "$root/usr/bin/java"
    # Every library the runtime links must be in the image: fail here, not inside a container.
    needed=$({ find "$root/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 |
        xargs -0 ldd 2>/dev/null || true; } |
        awk -v own="$root/" '/=> not found/ { print $1; next }
            /=> \// && index($3, own) != 1 { n = split($3, p, "/"); print p[n] }' | sort -u)
    for lib in $needed; do
        # java dlopens libjvm.so itself, so ldd of its other libraries cannot find it: that is fine.
        [ -n "$(find "$root/opt/java" -name "$lib" -print -quit)" ] && continue
        [ -f "$root/usr/lib/x86_64-linux-gnu/$lib" ] || die "the Java runtime needs $lib: add it to images/jvm/libs"
    done
    overlay "$repo/images/jvm/rootfs" "$root"
}

metadata() {
    local name=$1 hash=$2 bbver description
    # awk reads all of the help text: head would close the pipe early, and pipefail would turn
    # busybox's SIGPIPE into a silent failure of the build (seen once in three).
    bbver=$({ "$BUSYBOX" 2>&1 || true; } | awk 'NR == 1 { sub(/^v/, "", $2); print $2 }')
    description="SensorFleet Instrument $name (busybox $bbver)"
    cat <<EOF
architecture: x86_64
creation_date: $EPOCH
properties:
  architecture: x86_64
  os: sensorfleet
  release: "$name"
  description: "$description"
  sensorfleet.image: "$name"
  sensorfleet.inputs: "$hash"
  sensorfleet.user: "instrument 1000:1000"
  sensorfleet.entrypoint: /etc/sensorfleet/entrypoint
EOF
    if [ "$name" = jvm ]; then
        cat <<EOF
  sensorfleet.java_home: /opt/java
  sensorfleet.java_version: "$(. "$JDK/release" && echo "$JAVA_RUNTIME_VERSION")"
EOF
    fi
    echo "templates: {}"
}

# Deterministic tar.gz of DIR's contents: sorted names, numeric owners as on disk, fixed mtime.
pack() {
    tar -C "$1" --sort=name --mtime="@$EPOCH" --numeric-owner --format=gnu -cf - . | gzip -n -6
}

build() {
    local name=$1 out=$2 hash
    hash=$(inputs "$name")
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/sf-image-$name.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT # global: the trap runs after build() has returned
    mkdir -m 0755 "$tmp/rootfs" "$tmp/meta"
    base_rootfs "$tmp/rootfs"
    [ "$name" = jvm ] && jvm_layer "$tmp/rootfs"
    metadata "$name" "$hash" > "$tmp/meta/metadata.yaml"
    mkdir -p "$out"
    pack "$tmp/meta" > "$out/meta.tar.gz"
    pack "$tmp/rootfs" > "$out/rootfs.tar.gz"
    cat "$out/meta.tar.gz" "$out/rootfs.tar.gz" | sha256sum | cut -d' ' -f1
}

[ $# -ge 2 ] && layers "$2" > /dev/null
case "${1:-}" in
    inputs) [ $# -eq 2 ] || die "usage: build-image.sh inputs NAME"; inputs "$2" ;;
    build) [ $# -eq 3 ] || die "usage: build-image.sh build NAME OUTDIR"; build "$2" "$3" ;;
    *) die "usage: build-image.sh inputs NAME | build NAME OUTDIR" ;;
esac
