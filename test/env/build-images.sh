#!/usr/bin/env bash
# Build the local test images from Debian's busybox-static: no registry is needed or used.
# Usage: DOCKER_HOST=... test/env/build-images.sh [TAG...]   (default tag: edge-test/busybox:1)
#        test/env/build-images.sh --rootfs-tar FILE   only the image's root filesystem, no engine needed
#        (the VM test imports it into the snap's engine: docker import --change 'CMD ["/bin/sh"]'
#        --change 'ENV PATH=/bin' - TAG <FILE)
set -euo pipefail
docker=/usr/bin/docker
[ -x "$docker" ] || docker=docker
bb=/bin/busybox
[ -x "$bb" ] && "$bb" --list >/dev/null 2>&1 || { echo "busybox not found: apt-get install busybox-static" >&2; exit 1; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$work/rootfs/bin" "$work/rootfs/tmp" "$work/rootfs/etc" "$work/rootfs/proc" "$work/rootfs/sys" "$work/rootfs/dev"
cp "$bb" "$work/rootfs/bin/busybox"
for a in $("$bb" --list); do [ -e "$work/rootfs/bin/$a" ] || ln -s busybox "$work/rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$work/rootfs/etc/passwd"
tar -C "$work/rootfs" -c . >"$work/rootfs.tar"
if [ "${1:-}" = --rootfs-tar ]; then mv "$work/rootfs.tar" "${2:?--rootfs-tar FILE}"; exit 0; fi
tags=("$@"); [ ${#tags[@]} -gt 0 ] || tags=(edge-test/busybox:1)
for t in "${tags[@]}"; do
  "$docker" import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' "$work/rootfs.tar" "$t" >/dev/null
  echo "$t"
done
