#!/usr/bin/env bash
# `make snap-local`: an installable azure-iot-edge snap built here, OFFLINE, without snapcraft:
# this machine's Node.js + dist/ + production node_modules, Debian's Docker engine binaries,
# the hook shims, and meta/snap.yaml derived from snap/snapcraft.yaml; packed (and so validated)
# by `snap pack` from Debian's snapd (unpacked by test/env/install-deps.sh).
# Runs on a glibc core24 base (on a real device: core24; in the e2e: a Debian stand-in).
# Usage: snap/local/build.sh [OUTDIR]      prints the path of the .snap
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/.tmp/snap-local}
mkdir -p "$out"
out=$(cd "$out" && pwd)
snap_cmd=$root/.tmp/snapd-deb/usr/bin/snap
[ -x "$snap_cmd" ] || "$root/test/env/install-deps.sh" >&2
[ -f "$root/dist/snap/hook-main.js" ] || { echo "dist/ is missing: run make build first" >&2; exit 1; }

case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) echo "unsupported machine $(uname -m)" >&2; exit 1 ;; esac
prime=$out/prime
rm -rf "$prime" && mkdir -p "$prime/bin" "$prime/app" "$prime/usr/bin" "$prime/usr/sbin" "$prime/meta/hooks"

# The appliance: node, compiled code, production dependencies (pruned offline from ours).
cp "$(command -v node)" "$prime/bin/node"
cp -a "$root/dist" "$root/bin" "$root/package.json" "$root/package-lock.json" "$prime/app/"
cp -a "$root/node_modules" "$prime/app/node_modules"
(cd "$prime/app" && npm prune --omit=dev --offline --no-audit --no-fund --loglevel=error >&2 && rm -f package-lock.json)

# The Docker engine: Debian's binaries (the snapcraft build takes Ubuntu's from the archive).
need() { for f in "$@"; do [ -x "$f" ] && { echo "$f"; return; }; done; echo "missing: $* (apt-get install docker.io)" >&2; exit 1; }
cp "$(need /usr/sbin/dockerd /usr/bin/dockerd)" "$prime/usr/sbin/dockerd"
cp "$(need /usr/bin/containerd)" "$prime/usr/bin/containerd"
cp "$(need /usr/bin/containerd-shim-runc-v2)" "$prime/usr/bin/containerd-shim-runc-v2"
cp "$(need /usr/sbin/runc /usr/bin/runc)" "$prime/usr/sbin/runc"
cp "$(need /usr/bin/docker-init /usr/sbin/docker-init)" "$prime/usr/bin/docker-init"
cp "$(need /usr/sbin/docker-proxy /usr/bin/docker-proxy)" "$prime/usr/sbin/docker-proxy"
cp "$(need /usr/bin/docker)" "$prime/usr/bin/docker"

# Hooks: the shims, under the names snapd runs.
cp -a "$root/hooks/." "$prime/meta/hooks/"
chmod 0755 "$prime"/meta/hooks/* "$prime"/app/bin/*

NODE_PATH="$root/node_modules" node "$root/snap/local/derive-snap-yaml.js" "$root/snap/snapcraft.yaml" "$arch" >"$prime/meta/snap.yaml"

version=$(sed -n 's/^version: *//p' "$prime/meta/snap.yaml" | tr -d "'\"")
file=azure-iot-edge_${version}_${arch}.snap
"$snap_cmd" pack --compression=lzo "$prime" "$out" --filename="$file" >&2
rm -rf "$prime"
echo "$out/$file"
