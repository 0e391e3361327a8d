#!/usr/bin/env bash
# The stand-in core24 base for both snapd labs: a Debian trixie minbase (glibc 2.41; core24 has
# 2.39, see snap/local/check-glibc.sh) holding no more than a core base snap does: the packages
# of canonical/core20's hooks/001-extra-packages.chroot that Debian has and a snap could use
# (no ssh server, cloud-init, netplan, wpasupplicant, cryptsetup, gdbserver), and deliberately
# without iptables and dmsetup (core has them, but the snap stages its own, so a missing staged
# library shows up here and not on a device). Cached under .tmp/core-base keyed by this script.
# Usage: test/env/core-base.sh      prints the path of core24_glibc.snap
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
key=$(sha256sum "$0" | cut -c1-12)
dir=$root/.tmp/core-base/$key
out=$dir/core24_glibc.snap
# Both labs may ask at once (jest runs the e2e suites in parallel): one builds, the other waits.
mkdir -p "$root/.tmp"; exec 9>"$root/.tmp/core-base.lock"; flock 9
[ -f "$out" ] && { echo "$out"; exit 0; }
snap_cmd=$root/.tmp/snapd-deb/usr/bin/snap
[ -x "$snap_cmd" ] || "$root/test/env/install-deps.sh" >&2
command -v debootstrap >/dev/null || { echo "core-base: debootstrap missing: run test/env/install-deps.sh" >&2; exit 1; }
rm -rf "$root/.tmp/core-base" && mkdir -p "$dir"
echo "core-base: debootstrap trixie for the stand-in core24 base (once, a few minutes)" >&2
base=$dir/rootfs
debootstrap --variant=minbase \
  --include=systemd,systemd-sysv,libpam-systemd,libpam-modules,dbus,dbus-user-session,udev,kmod,iproute2,ca-certificates,tzdata,distro-info-data,sudo,less,vim-tiny,netcat-openbsd,iputils-ping,apparmor,squashfs-tools,dosfstools,rfkill \
  trixie "$base" http://deb.debian.org/debian >"$dir/debootstrap.log" 2>&1 || { tail -20 "$dir/debootstrap.log" >&2; exit 1; }
for d in usr/lib/snapd var/lib/snapd var/snap snap writable run/netns lib/modules lib/firmware usr/src \
         media mnt home root boot srv tmp; do mkdir -p "$base/$d"; done
ln -sf ../lib/snapd/snapctl "$base/usr/bin/snapctl"
rm -rf "$base/var/cache/apt/archives"/*.deb "$base/var/lib/apt/lists"/*
mkdir -p "$base/meta"
printf 'name: core24\nversion: stub-trixie\nsummary: stand-in base\ndescription: Debian trixie minbase with the core base packages\ntype: base\ngrade: devel\nconfinement: strict\n' \
  >"$base/meta/snap.yaml"
"$snap_cmd" pack "$base" "$dir" --filename=core24_glibc.snap.tmp >/dev/null
mv "$dir/core24_glibc.snap.tmp" "$out"
rm -rf "$base"
echo "$out"
