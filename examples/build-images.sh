#!/usr/bin/env bash
# Builds the example module images from Debian's busybox-static with `docker import`: no
# Dockerfile, no base image, no registry. An image whose content is unchanged is not rebuilt.
# Usage: DOCKER_HOST=unix:///... examples/build-images.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
docker=/usr/bin/docker
[ -x "$docker" ] || docker=docker
bb=/bin/busybox
"$bb" --list >/dev/null 2>&1 || { echo "busybox not found: apt-get install busybox-static" >&2; exit 1; }
tag_prefix=azure-iot-edge-examples

build() { # NAME VERSION
  local name=$1 version=$2 work hash tag
  tag="$tag_prefix/$name:$version"
  hash=$(cat "$bb" "$here/images/$name/$name" | sha256sum | cut -c1-16)
  if [ "$("$docker" image inspect -f '{{ index .Config.Labels "org.azure-iot-edge.example-hash" }}' "$tag" 2>/dev/null || true)" = "$hash" ]; then
    echo "$tag (up to date)"; return
  fi
  work=$(mktemp -d)
  mkdir -p "$work/bin" "$work/tmp" "$work/etc" "$work/proc" "$work/sys" "$work/dev"
  cp "$bb" "$work/bin/busybox"
  for a in $("$bb" --list); do [ -e "$work/bin/$a" ] || ln -s busybox "$work/bin/$a"; done
  cp "$here/images/$name/$name" "$work/bin/$name"
  echo 'root:x:0:0:root:/root:/bin/sh' >"$work/etc/passwd"
  tar -C "$work" -c . | "$docker" import \
    --change "CMD [\"/bin/$name\"]" --change 'ENV PATH=/bin' \
    --change "LABEL org.azure-iot-edge.example-hash=$hash" - "$tag" >/dev/null
  rm -rf "$work"
  echo "$tag (built)"
}

build tempsensor 1.0
build crasher 1.0
