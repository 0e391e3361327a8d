#!/usr/bin/env bash
# Installs what building, running and testing the appliance need, and nothing that is already there.
# Debian packages: the Docker engine and CLI, a registry for pull/auth tests, docker-compose for the
# benchmark, busybox-static for locally built images, squashfs-tools/snapd/debootstrap for the snap,
# qemu for the AppArmor VM lab, chromium for the image service's page.
set -euo pipefail
cd "$(dirname "$0")/../.."
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have dockerd || need+=(docker.io)
[ -x /usr/bin/docker ] || need+=(docker.io)
have docker-registry || need+=(docker-registry)
have docker-compose || need+=(docker-compose)
[ -x /bin/busybox ] && /bin/busybox --list >/dev/null 2>&1 && file -L /bin/busybox 2>/dev/null | grep -q static || need+=(busybox-static)
have mksquashfs || need+=(squashfs-tools)
have debootstrap || need+=(debootstrap)
have htpasswd || need+=(apache2-utils)
have unzip || need+=(unzip)
have file || need+=(file)
have ip || need+=(iproute2)
# The VM lab (test/env/vm-lab.sh): qemu, an initramfs (cpio), the kernel's module dependencies (kmod).
have qemu-system-x86_64 || need+=(qemu-system-x86)
have qemu-img || need+=(qemu-utils)
have cpio || need+=(cpio)
have modprobe || need+=(kmod)
have xz || need+=(xz-utils)
# The image service (src/images): xz streams images; its tests make disks with sfdisk, mkfs.vfat and mtools.
have sfdisk || need+=(fdisk)
have mkfs.vfat || need+=(dosfstools)
have mcopy || need+=(mtools)
have mkfs.ext4 || need+=(e2fsprogs)
have openssl || need+=(openssl)
# The image service's web page is tested in Debian's headless Chromium (playwright-core drives it).
[ -x /usr/bin/chromium ] || need+=(chromium)
python3 -c 'import yaml, jsonschema, jinja2, jsonpatch, requests' 2>/dev/null || need+=(python3-yaml python3-jsonschema python3-jinja2 python3-jsonpatch python3-requests)
updated=
apt_update() { [ -n "$updated" ] || { apt-get update -qq; updated=1; }; }
export DEBIAN_FRONTEND=noninteractive
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}" >&2
  apt_update
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# `snap pack`, from Debian's snapd package, unpacked beside the tree (no snapd service needed).
if [ ! -x .tmp/snapd-deb/usr/bin/snap ]; then
  apt_update
  mkdir -p .tmp && (cd .tmp && rm -f snapd_*.deb && apt-get download -qq snapd && dpkg-deb -x snapd_*.deb snapd-deb && rm -f snapd_*.deb)
fi
# Debian's cloud-init, unpacked beside the tree (not installed: no units on this machine): the image
# tests run its schema check and its write_files module on what a per-device image carries.
if [ ! -x .tmp/cloud-init-deb/usr/bin/cloud-init ]; then
  apt_update
  mkdir -p .tmp/cloud-init-dl && (cd .tmp/cloud-init-dl && apt-get download -qq cloud-init python3-configobj python3-netifaces && for d in *.deb; do dpkg-deb -x "$d" ../cloud-init-deb; done) && rm -rf .tmp/cloud-init-dl
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
