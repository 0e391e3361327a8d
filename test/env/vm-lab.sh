#!/usr/bin/env bash
# A real snapd under AppArmor: a qemu VM (Debian trixie's 6.12 kernel booted with apparmor=1, a sid
# rootfs with systemd, snapd 2.77, apparmor, squashfs-tools). No network device (-nic none): the
# host and the guest talk through a 9p share only, where an agent in the guest runs command files
# and writes their output and exit code. Recipe and pitfalls: shared/snapd-lab (VM section).
#
#   vm-lab.sh prepare        kernel, initramfs, root image, stub snapd snap, stand-in core24 base
#                            (keyed by the hash of the functions that build them, core-base.sh and
#                            debian-fetch.sh), then the seeded image: the root image booted once,
#                            snapd seeded, the stub snapd and core24 snaps installed, AppArmor's
#                            cache of the distribution's profiles compiled (keyed by this whole
#                            script and the snaps). Cached under .tmp/vm-lab; prints KEY=VALUE lines
#                            (IMAGE, SNAPS, ACCEL)
#   vm-lab.sh boot RUN       boots the VM on a copy-on-write disk RUN/disk.qcow2 over the seeded
#                            image (created on the first boot, kept after: a second boot is a reboot
#                            of the same machine); RUN/share is the 9p share, RUN/console.log the
#                            serial console
#   vm-lab.sh wait-boot RUN [SECONDS]   waits until the agent has started; prints the guest's boot id
#   vm-lab.sh exec RUN CMD...           runs CMD (bash -c) in the guest as root; its output and exit code
#   vm-lab.sh stop RUN       powers the guest off (kills qemu if it does not stop in 120 s)
#
# Accelerator: KVM when a probe guest boots under it within 60 s, TCG (multi-threaded) otherwise.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# The base (kernel, initramfs, root image, snaps) is keyed by what builds it, so a change to the
# seeding or to running the VM below the "seeding and running" line rebuilds the seeded image only.
key=$(sed -n '/^build_kernel() {$/,/^# ---- seeding and running/p' "$0" | cat - "$root/test/env/debian-fetch.sh" "$root/test/env/core-base.sh" | sha256sum | cut -c1-12)
lab=$root/.tmp/vm-lab
dir=$lab/$key
fetch=$root/test/env/debian-fetch.sh
snap_cmd=$root/.tmp/snapd-deb/usr/bin/snap
# audit=1 gives every process an audit context, so a denial comes with its SYSCALL, CWD and PATH
# records (the file and its owner); printk_ratelimit=0 and the larger backlog keep the kernel from
# dropping audit lines, which go to the kernel log (no auditd in the guest).
AUDIT_CMDLINE="audit=1 audit_backlog_limit=8192 sysctl.kernel.printk_ratelimit=0"
log() { echo "vm-lab: $*" >&2; }
die() { echo "vm-lab: $*" >&2; exit 1; }

build_kernel() {
  [ -f "$dir/kernel/.done" ] && return 0
  log "fetching trixie's kernel"
  rm -rf "$dir/kernel" "$dir/debs" && mkdir -p "$dir/kernel" "$dir/debs"
  local meta pkg
  meta=$("$fetch" trixie "$dir/debs" linux-image-amd64)
  pkg=$(dpkg-deb -f "$meta" Depends | sed 's/ .*//')
  dpkg-deb -x "$("$fetch" trixie "$dir/debs" "$pkg")" "$dir/kernel"
  ln -s usr/lib "$dir/kernel/lib"
  ls "$dir"/kernel/usr/lib/modules/ >"$dir/kernel/version"
  depmod -b "$dir/kernel" "$(cat "$dir/kernel/version")"
  touch "$dir/kernel/.done"
}

# A busybox initramfs: load ext4 and virtio_blk, mount /dev/vda, switch_root to systemd.
# With `labprobe` on the command line it only prints a marker and powers off (the KVM probe).
build_initrd() {
  [ -f "$dir/initrd.img" ] && return 0
  local ver work mods
  ver=$(cat "$dir/kernel/version"); work=$(mktemp -d)
  mkdir -p "$work"/{bin,proc,sys,dev,newroot,lib/modules}
  cp /bin/busybox "$work/bin/busybox"
  file -L "$work/bin/busybox" | grep -q static || die "/bin/busybox is not static: apt-get install busybox-static"
  mods=$(for m in ext4 virtio_blk; do modprobe -d "$dir/kernel" -S "$ver" --show-depends "$m"; done | awk '$1 == "insmod" && !seen[$2]++ {print $2}')
  : >"$work/modules.order"
  for m in $mods; do
    local b; b=$(basename "$m" .xz)
    xz -dc "$m" >"$work/lib/modules/$b"
    echo "$b" >>"$work/modules.order"
  done
  cat >"$work/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
if grep -q labprobe /proc/cmdline; then echo LAB-PROBE-OK; poweroff -f; fi
for m in $(cat /modules.order); do insmod "/lib/modules/$m"; done
i=0; while [ ! -b /dev/vda ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
mount -t ext4 /dev/vda /newroot || { echo "initrd: cannot mount /dev/vda"; poweroff -f; }
umount /proc /sys; mount --move /dev /newroot/dev
exec switch_root /newroot /sbin/init
INIT
  chmod 0755 "$work/init"
  (cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) >"$dir/initrd.img.tmp"
  mv "$dir/initrd.img.tmp" "$dir/initrd.img"
  rm -rf "$work"
}

build_rootfs() {
  [ -f "$dir/rootfs/.done" ] && return 0
  log "debootstrap sid (once, a few minutes)"
  rm -rf "$dir/rootfs" && mkdir -p "$dir"
  debootstrap --variant=minbase \
    --include=systemd,systemd-sysv,snapd,apparmor,squashfs-tools,udev,dbus,dbus-user-session,libpam-systemd,kmod,iproute2,ca-certificates,procps,passwd \
    sid "$dir/rootfs" http://deb.debian.org/debian >"$dir/debootstrap.log" 2>&1 || { tail -20 "$dir/debootstrap.log" >&2; die "debootstrap sid failed"; }
  local r=$dir/rootfs ver; ver=$(cat "$dir/kernel/version")
  mkdir -p "$r/usr/lib/modules" && cp -a "$dir/kernel/usr/lib/modules/$ver" "$r/usr/lib/modules/"
  echo vmlab >"$r/etc/hostname"
  printf '/dev/vda / ext4 defaults 0 1\n' >"$r/etc/fstab"
  rm -f "$r/etc/machine-id"; touch "$r/etc/machine-id"
  # A user with a home, for the home plug (cs-file under /home/<user>).
  chroot "$r" useradd -m -s /bin/bash labuser
  # snapd's offline catalog refresh delays seeding by ~33 s at every start; an old names file postpones it.
  mkdir -p "$r/var/cache/snapd" && touch -d '2020-01-01' "$r/var/cache/snapd/names"
  cat >"$r/usr/local/sbin/lab-agent" <<'AGENT'
#!/bin/bash
# Runs each RUN/share/cmd/ID.sh (written by the host, renamed into place) as root: output to
# out/ID.out, exit code to out/ID.rc (renamed into place last). Announces each boot in out/booted.
set -u
modprobe 9pnet_virtio; modprobe 9p
mkdir -p /lab && mountpoint -q /lab || mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 lab /lab || exit 1
mkdir -p /lab/cmd /lab/out /lab/running
cat /proc/sys/kernel/random/boot_id >/lab/out/booted.tmp && mv /lab/out/booted.tmp /lab/out/booted
while :; do
  for f in /lab/cmd/*.sh; do
    [ -e "$f" ] || continue
    id=$(basename "$f" .sh)
    mv "$f" "/lab/running/$id.sh" || continue
    ( bash "/lab/running/$id.sh" >"/lab/out/$id.out" 2>&1 </dev/null; echo $? >"/lab/out/$id.rc.tmp"; mv "/lab/out/$id.rc.tmp" "/lab/out/$id.rc"; rm -f "/lab/running/$id.sh" ) &
  done
  sleep 0.3
done
AGENT
  chmod 0755 "$r/usr/local/sbin/lab-agent"
  cat >"$r/etc/systemd/system/lab-agent.service" <<'UNIT'
[Unit]
Description=vm-lab command agent (9p share)
After=local-fs.target systemd-modules-load.service
[Service]
ExecStart=/usr/local/sbin/lab-agent
Restart=always
RestartSec=1
[Install]
WantedBy=multi-user.target
UNIT
  ln -sf /etc/systemd/system/lab-agent.service "$r/etc/systemd/system/multi-user.target.wants/lab-agent.service"
  # Nothing waits for a network that is not there.
  rm -f "$r/etc/systemd/system/multi-user.target.wants/systemd-networkd.service" "$r/etc/systemd/system/network-online.target.wants/"* 2>/dev/null || true
  touch "$r/.done"
}

build_image() {
  [ -f "$dir/root.img" ] && return 0
  log "making the root image"
  rm -f "$dir/root.img.tmp"
  mkfs.ext4 -q -F -L vmroot -d "$dir/rootfs" "$dir/root.img.tmp" 12G || die "mkfs.ext4 -d failed"
  rm -f "$dir/root.img.tmp.done"; mv "$dir/root.img.tmp" "$dir/root.img"
}

# The stub snapd snap (snapd on classic wants one once a non-core base is used); with AppArmor on,
# snapd reads snap-confine's profile from it, so it carries the rootfs snapd's.
build_snaps() {
  [ -f "$dir/snaps/.done" ] && return 0
  [ -x "$snap_cmd" ] || "$root/test/env/install-deps.sh" >&2
  rm -rf "$dir/snaps" && mkdir -p "$dir/snaps"
  local work; work=$(mktemp -d)
  mkdir -p "$work/snapd/meta" "$work/snapd/usr/lib/snapd" "$work/snapd/etc/apparmor.d"
  cp "$dir/rootfs/usr/lib/snapd/info" "$work/snapd/usr/lib/snapd/info"
  cp "$dir/rootfs/etc/apparmor.d/usr.lib.snapd.snap-confine.real" "$work/snapd/etc/apparmor.d/usr.lib.snapd.snap-confine"
  printf 'name: snapd\nversion: stub1\nsummary: local stand-in snapd snap\ndescription: keeps snapd from asking the store\ntype: snapd\ngrade: devel\nconfinement: strict\n' \
    >"$work/snapd/meta/snap.yaml"
  "$snap_cmd" pack "$work/snapd" "$dir/snaps" --filename=snapd_stub.snap >/dev/null
  rm -rf "$work"
  cp "$("$root/test/env/core-base.sh")" "$dir/snaps/core24_glibc.snap"
  touch "$dir/snaps/.done"
}

# ---- seeding and running (not part of the base's key) ----
qemu_cmd() { # ACCEL DISK...
  local accel=$1; shift
  local a=(qemu-system-x86_64 -m 3072 -smp 2 -nic none -kernel "$dir/kernel/boot/vmlinuz-$(cat "$dir/kernel/version")" -initrd "$dir/initrd.img")
  if [ "$accel" = kvm ]; then a+=(-accel kvm -cpu host); else a+=(-accel tcg,thread=multi -cpu max); fi
  printf '%s\n' "${a[@]}" "$@"
}

probe_accel() {
  local f=$dir/accel boot; boot=$(cat /proc/sys/kernel/random/boot_id)
  [ -f "$f" ] && [ "$(sed -n 2p "$f")" = "$boot" ] && { sed -n 1p "$f"; return; }
  local accel=tcg out
  if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
    mapfile -t q < <(qemu_cmd kvm -no-reboot -nographic -monitor none -append "console=ttyS0 panic=-1 labprobe")
    out=$(timeout 60 "${q[@]}" </dev/null 2>&1 | tr -d '\r' || true)
    grep -q LAB-PROBE-OK <<<"$out" && accel=kvm
  fi
  printf '%s\n%s\n' "$accel" "$boot" >"$f"
  echo "$accel"
}

# The seeded image: the root image booted once, snapd seeded, the stand-in snaps installed, so a
# run starts at the snap's own install (under TCG these steps took 10-15 minutes of every run).
# The boot also leaves AppArmor's cache of the distribution's profiles in the image. A clean
# power-off is required: a killed guest is not cached.
seeded_image() { echo "$dir/seeded-$( { cat "$0"; sha256sum "$dir"/snaps/*.snap; } | sha256sum | cut -c1-12).qcow2"; }
build_seeded() {
  local img run; img=$(seeded_image); run=$dir/seeding
  [ -f "$img" ] && return 0
  log "seeding the VM image: snapd seeded, stub snapd and core24 installed (once; about 15 min under TCG)"
  [ -f "$run/qemu.pid" ] && "$0" stop "$run" >/dev/null 2>&1
  rm -rf "$run" "$dir"/seeded-*.qcow2 && mkdir -p "$run/share/files"
  cp "$dir/snaps/snapd_stub.snap" "$dir/snaps/core24_glibc.snap" "$run/share/files/"
  qemu-img create -q -f qcow2 -b "$dir/root.img" -F raw "$run/disk.qcow2"
  "$0" boot "$run" >/dev/null
  "$0" wait-boot "$run" 2400 >/dev/null || { "$0" stop "$run"; die "seeding: the guest did not boot"; }
  "$0" exec "$run" 'set -e
    snap wait system seed.loaded
    snap install --dangerous /lab/files/snapd_stub.snap
    snap install --dangerous /lab/files/core24_glibc.snap
    snap list' >"$run/seed.log" 2>&1 || { "$0" stop "$run"; die "seeding failed: $(tail -20 "$run/seed.log")"; }
  "$0" stop "$run"
  grep -q 'reboot: Power down' "$run/console.log" || die "seeding: the guest did not power off cleanly; console: $(tail -c 1500 "$run/console.log" | tr -d '\r')"
  mv "$run/disk.qcow2" "$img.tmp" && mv "$img.tmp" "$img"
  rm -rf "$run"
}

cmd=${1:-prepare}
case "$cmd" in
  prepare)
    for t in qemu-system-x86_64 qemu-img debootstrap mkfs.ext4 cpio modprobe; do
      command -v "$t" >/dev/null || die "$t missing: run test/env/install-deps.sh"
    done
    mkdir -p "$dir"
    build_kernel; build_initrd; build_rootfs; build_image; build_snaps
    accel=$(probe_accel)
    for old in "$lab"/*/; do [ "${old%/}" = "$dir" ] || rm -rf "$old"; done
    build_seeded
    echo "IMAGE=$(seeded_image)"; echo "SNAPS=$dir/snaps"; echo "ACCEL=$accel"
    ;;
  boot)
    run=${2:?run directory}; mkdir -p "$run/share"; run=$(cd "$run" && pwd)
    if [ ! -f "$run/disk.qcow2" ]; then
      base=$(seeded_image); [ -f "$base" ] || die "no seeded image: run vm-lab.sh prepare first"
      qemu-img create -q -f qcow2 -b "$base" -F qcow2 "$run/disk.qcow2"
    fi
    rm -f "$run/share/out/booted"
    accel=$(probe_accel)
    mapfile -t q < <(qemu_cmd "$accel" \
      -drive "file=$run/disk.qcow2,if=virtio,format=qcow2" \
      -virtfs "local,path=$run/share,mount_tag=lab,security_model=none,id=lab" \
      -serial "file:$run/console.log" -monitor none -display none -daemonize -pidfile "$run/qemu.pid" \
      -append "console=ttyS0 panic=-1 apparmor=1 security=apparmor quiet $AUDIT_CMDLINE")
    "${q[@]}" || die "qemu did not start (see above)"
    echo "ACCEL=$accel"
    ;;
  wait-boot)
    run=${2:?run directory}; secs=${3:-900}
    for _ in $(seq 1 $((secs * 2))); do
      [ -s "$run/share/out/booted" ] && { cat "$run/share/out/booted"; exit 0; }
      [ -f "$run/qemu.pid" ] && kill -0 "$(cat "$run/qemu.pid")" 2>/dev/null || die "qemu exited before the guest came up; console: $(tail -c 1500 "$run/console.log" 2>/dev/null | tr -d '\r')"
      sleep 0.5
    done
    die "the guest's agent did not start within ${secs}s; console: $(tail -c 1500 "$run/console.log" 2>/dev/null | tr -d '\r')"
    ;;
  exec)
    run=${2:?run directory}; shift 2
    id=$(date +%s%N)-$$
    printf '%s\n' "$*" >"$run/share/cmd/.$id.tmp" && mv "$run/share/cmd/.$id.tmp" "$run/share/cmd/$id.sh"
    while [ ! -f "$run/share/out/$id.rc" ]; do
      kill -0 "$(cat "$run/qemu.pid")" 2>/dev/null || die "the VM is not running"
      sleep 0.3
    done
    cat "$run/share/out/$id.out"; rc=$(cat "$run/share/out/$id.rc"); rm -f "$run/share/out/$id".*
    exit "$rc"
    ;;
  stop)
    run=${2:?run directory}
    [ -f "$run/qemu.pid" ] || exit 0
    pid=$(cat "$run/qemu.pid")
    kill -0 "$pid" 2>/dev/null || exit 0
    printf 'systemctl poweroff\n' >"$run/share/cmd/.stop.tmp" && mv "$run/share/cmd/.stop.tmp" "$run/share/cmd/stop.sh"
    for _ in $(seq 1 240); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.5; done
    kill "$pid" 2>/dev/null || true
    ;;
  *) echo "usage: $0 prepare | boot RUN | wait-boot RUN [SECONDS] | exec RUN CMD... | stop RUN" >&2; exit 2 ;;
esac
