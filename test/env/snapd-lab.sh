#!/usr/bin/env bash
# A real snapd in a container, for the end-to-end test of the packaged snap.
# Recipe: shared/snapd-lab (its README lists the pitfalls this script works around).
#
#   snapd-lab.sh prepare          private host dockerd + image + stub snapd snap + stand-in core24 base
#                                 (test/env/core-base.sh),
#                                 each built once and cached under .tmp/snapd-lab keyed by this
#                                 script's hash; prints KEY=VALUE lines (DOCKER_HOST, SNAPS, IMAGE)
#   snapd-lab.sh start NAME DIR   a fresh systemd+snapd container with DIR mounted at /snaps (ro),
#                                 waits until snapd is seeded
#   snapd-lab.sh rm NAME          removes the container and its /var/snap volume
#   snapd-lab.sh stop-engine      stops the private host dockerd
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
lab="$root/.tmp/snapd-lab"
# SNAPD_LAB_SUITE: the container's Debian suite, so its snapd: bookworm (2.57, default), trixie (2.68)
# or sid (snapd 2.77 on trixie's userland, with gnupg: the confdb e2e signs its lab assertions there,
# test/env/confdb-lab.sh). sid's own systemd (262) refuses to run as PID 1 on this host's cgroup v1
# hierarchy ("Detected unsupported legacy cgroup hierarchy, refusing execution"); trixie's 257
# still runs, so the sid lab is trixie plus sid's snapd package.
suite=${SNAPD_LAB_SUITE:-bookworm}
case "$suite" in bookworm|trixie|sid) ;; *) echo "snapd-lab: SNAPD_LAB_SUITE=$suite: use bookworm, trixie or sid" >&2; exit 2 ;; esac
extra_pkgs=""; base_suite=$suite
[ "$suite" = sid ] && { extra_pkgs=",gnupg"; base_suite=trixie; }
# SNAPD_LAB_CLOUD_INIT=1: the lab also has Debian's cloud-init, which runs at the container's boot
# when a NoCloud seed is there (the first-boot e2e); without a seed its generator disables it.
cloud_init=${SNAPD_LAB_CLOUD_INIT:-0}
key=$( (cat "$0" "$root/test/env/core-base.sh"; echo "$suite $cloud_init") | sha256sum | cut -c1-12)
image="snapd-lab-aziot:$key"
snaps="$lab/snaps-$key"
rootfs="$lab/rootfs-$key"
docker=/usr/bin/docker
[ -x "$docker" ] || docker=docker
snap_cmd="$root/.tmp/snapd-deb/usr/bin/snap"

engine() {
  # The snapd container runs under a private engine of its own (no host docker is assumed).
  DOCKER_HOST=$("$root/test/env/dockerd.sh" start "$lab/engine" 91)
  export DOCKER_HOST
}

log() { echo "snapd-lab: $*" >&2; }

build_rootfs() {
  [ -f "$rootfs/.done" ] && return 0
  command -v debootstrap >/dev/null || { echo "debootstrap missing: run test/env/install-deps.sh" >&2; exit 1; }
  log "debootstrap $base_suite for $suite (once, about a minute)"
  rm -rf "$rootfs" && mkdir -p "$lab"
  debootstrap --variant=minbase \
    --include=systemd,systemd-sysv,snapd,squashfs-tools,udev,dbus,dbus-user-session,libpam-systemd,ca-certificates,procps,iproute2,kmod,fuse3,squashfuse$extra_pkgs \
    "$base_suite" "$rootfs" http://deb.debian.org/debian >"$lab/debootstrap.log" 2>&1 || { tail -20 "$lab/debootstrap.log" >&2; exit 1; }
  if [ "$suite" != "$base_suite" ]; then
    log "snapd from $suite on $base_suite"
    local deb; deb=$("$root/test/env/debian-fetch.sh" "$suite" "$lab/debs-$suite" snapd | tail -1)
    cp "$deb" "$rootfs/root/snapd.deb"
    # snap-confine stays trixie's (2.68.3, setuid root): 2.77's runs on file capabilities and
    # insists on CAP_SYS_RESOURCE, which no container here can have (the host's bounding set
    # lacks it): "required permitted capability cap_sys_resource not found". snapd 2.77 itself
    # (daemon, snapctl, confdb) is what the lab is for.
    cp -a "$rootfs/usr/lib/snapd/snap-confine" "$rootfs/root/snap-confine.trixie"
    chroot "$rootfs" dpkg -i /root/snapd.deb >>"$lab/debootstrap.log" 2>&1 || { tail -20 "$lab/debootstrap.log" >&2; exit 1; }
    mv "$rootfs/root/snap-confine.trixie" "$rootfs/usr/lib/snapd/snap-confine"
    rm -f "$rootfs/root/snapd.deb"
  fi
  if [ "$cloud_init" = 1 ]; then
    # apt, not debootstrap's --include: cloud-init's python3-cryptography needs a virtual package
    # (python3-cffi-backend-api-*) that debootstrap's resolver does not follow.
    log "cloud-init into the lab (apt in the chroot)"
    mount -t proc proc "$rootfs/proc"
    { chroot "$rootfs" apt-get update && DEBIAN_FRONTEND=noninteractive chroot "$rootfs" apt-get install -y --no-install-recommends cloud-init; } \
      >>"$lab/debootstrap.log" 2>&1 || { umount "$rootfs/proc"; tail -20 "$lab/debootstrap.log" >&2; exit 1; }
    umount "$rootfs/proc"
    chroot "$rootfs" apt-get clean
  fi
  echo snapd-lab >"$rootfs/etc/hostname"
  rm -f "$rootfs/etc/machine-id"; touch "$rootfs/etc/machine-id"
  touch "$rootfs/.done"
}

build_image() {
  "$docker" image inspect "$image" >/dev/null 2>&1 && return 0
  build_rootfs
  log "importing $image"
  tar -C "$rootfs" --exclude=./.done -c . | "$docker" import - "$image" >/dev/null
}

build_snaps() {
  [ -f "$snaps/.done" ] && return 0
  build_rootfs
  [ -x "$snap_cmd" ] || "$root/test/env/install-deps.sh"
  rm -rf "$snaps" && mkdir -p "$snaps"
  local work; work=$(mktemp -d)
  # The dummy snapd snap: snapd on classic insists on one once a non-core base is used.
  mkdir -p "$work/snapd/meta" "$work/snapd/usr/lib/snapd"
  cp "$rootfs/usr/lib/snapd/info" "$work/snapd/usr/lib/snapd/info"
  printf 'name: snapd\nversion: stub1\nsummary: local stand-in snapd snap\ndescription: keeps snapd from asking the store\ntype: snapd\ngrade: devel\nconfinement: strict\n' \
    >"$work/snapd/meta/snap.yaml"
  "$snap_cmd" pack "$work/snapd" "$snaps" --filename=snapd_stub.snap >/dev/null
  # The stand-in core24 base, shared with the VM lab (trixie, no more than a core base holds).
  cp "$("$root/test/env/core-base.sh")" "$snaps/core24_glibc.snap"
  rm -rf "$work"
  touch "$snaps/.done"
}

cmd=${1:-prepare}
case "$cmd" in
  prepare)
    engine
    build_image
    build_snaps
    echo "DOCKER_HOST=$DOCKER_HOST"
    echo "IMAGE=$image"
    echo "SNAPS=$snaps"
    ;;
  start)
    name=${2:?container name}; dir=$(cd "${3:?snap directory}" && pwd)
    engine; build_image
    "$docker" rm -f "$name" >/dev/null 2>&1 || true
    "$docker" volume rm -f "$name-var-snap" >/dev/null 2>&1 || true
    # --network none: the container gets its own network namespace, so the snap's engine creates its
    # bridge there. cpuset 0: snap-confine's mount-namespace race on this kernel. /var/snap on a volume:
    # the snap's dockerd cannot use overlayfs on the container's own overlay root.
    "$docker" run -d --name "$name" --hostname "$name" --network none --cpuset-cpus=0 \
      --cap-add ALL --cap-drop SYS_RESOURCE \
      --security-opt seccomp=unconfined --security-opt apparmor=unconfined --security-opt systempaths=unconfined \
      --device /dev/fuse --cgroupns=host -v /sys/fs/cgroup:/sys/fs/cgroup:rw \
      --tmpfs /run --tmpfs /run/lock --tmpfs /tmp -v "$dir":/snaps:ro -v "$name-var-snap":/var/snap \
      -e container=docker --stop-signal SIGRTMIN+3 "$image" /sbin/init >/dev/null
    for i in $(seq 1 300); do
      "$docker" exec "$name" systemctl is-system-running 2>/dev/null | grep -qE 'running|degraded' && break
      [ "$i" -lt 300 ] || { echo "snapd-lab: systemd did not come up in $name" >&2; exit 1; }
      sleep 0.2
    done
    "$docker" exec "$name" sh -c 'mount --make-rshared / && mount -o remount,rw /sys && systemctl start systemd-udevd'
    "$docker" exec "$name" snap wait system seed.loaded
    echo "DOCKER_HOST=$DOCKER_HOST"
    ;;
  rm)
    name=${2:?container name}; engine
    "$docker" rm -f "$name" >/dev/null 2>&1 || true
    "$docker" volume rm -f "$name-var-snap" >/dev/null 2>&1 || true
    ;;
  stop-engine) "$root/test/env/dockerd.sh" stop "$lab/engine" ;;
  *) echo "usage: $0 prepare | start NAME DIR | rm NAME | stop-engine" >&2; exit 2 ;;
esac
