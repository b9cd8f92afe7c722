#!/bin/sh
# Imports a tiny busybox image under the alias given as $1, for the LXD ITs when setup has not imported
# sensorfleet/base. Recipe from docs/lxd.md: busybox-static, an inittab that mounts /proc and brings lo up.
set -eu
alias="$1"
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || { echo "busybox is missing: apt-get install busybox-static" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" "$root/etc" "$root/proc" "$root/sys" \
  "$root/dev" "$root/tmp" "$root/root" "$root/run" "$root/var/www"
cp "$busybox" "$root/bin/busybox"
chroot "$root" /bin/busybox --install -s
cat > "$root/etc/inittab" <<'TAB'
::sysinit:/bin/sh -c 'mount -t proc proc /proc; ip link set lo up'
::respawn:/bin/sleep 100000
TAB
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"
cat > "$work/metadata.yaml" <<META
architecture: x86_64
creation_date: $(date +%s)
properties:
  description: SensorFleet IT busybox
  os: busybox
META
tar -C "$work" -czf "$work/meta.tar.gz" metadata.yaml
tar -C "$root" -czf "$work/rootfs.tar.gz" .
lxc image import "$work/meta.tar.gz" "$work/rootfs.tar.gz" --alias "$alias"
