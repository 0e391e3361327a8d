#!/usr/bin/env bash
# `make snap-local`: an installable azure-iot-edge snap built here without snapcraft (the engine
# packages are downloaded once and cached, everything else is offline):
# this machine's Node.js + dist/ + production node_modules, the engine part of snapcraft.yaml
# from Debian trixie's packages, the hook shims, and meta/snap.yaml derived from snap/snapcraft.yaml;
# packed (and so validated) by `snap pack` from Debian's snapd (unpacked by test/env/install-deps.sh).
# Runs on a glibc core24 base (on a real device: core24; in the labs: test/env/core-base.sh).
# Nothing bundled may need a glibc newer than core24's 2.39 (check-glibc.sh).
# Usage: snap/local/build.sh [OUTDIR]      prints the path of the .snap
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/.tmp/snap-local}
mkdir -p "$out"
out=$(cd "$out" && pwd)
snap_cmd=$root/.tmp/snapd-deb/usr/bin/snap
[ -x "$snap_cmd" ] || "$root/test/env/install-deps.sh" >&2
[ -f "$root/dist/snap/hook-main.js" ] || { echo "dist/ is missing: run make build first" >&2; exit 1; }

# The same inputs make the same snap: it is built once per content and copied from the cache after
# (the container labs, the VM test and the stage check each ask for one; a build waits for another
# already making it).
key=$( { node --version; uname -m; cd "$root" && find dist bin hooks snap package.json package-lock.json test/env/debian-fetch.sh -type f -print0 | sort -z | xargs -0 sha256sum; } | sha256sum | cut -c1-16)
cache=$root/.tmp/snap-local-cache/$key
mkdir -p "$root/.tmp/snap-local-cache"
exec 8>"$root/.tmp/snap-local-cache.lock"; flock 8
if [ -f "$cache/.done" ]; then
  file=$(cat "$cache/.done")
  cp "$cache/$file" "$out/$file"
  echo "$out/$file"
  exit 0
fi

case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) echo "unsupported machine $(uname -m)" >&2; exit 1 ;; esac
prime=$out/prime
rm -rf "$prime" && mkdir -p "$prime/bin" "$prime/app" "$prime/usr/bin" "$prime/usr/sbin" "$prime/meta/hooks"

# The appliance: node, compiled code, production dependencies (pruned offline from ours). The
# per-device image service runs on an operator's machine, not in the snap: its code and its
# packages (package.json's imageServiceOnly) stay out, as in snapcraft.yaml.
cp "$(command -v node)" "$prime/bin/node"
cp -a "$root/dist" "$root/bin" "$root/package.json" "$root/package-lock.json" "$prime/app/"
rm -rf "$prime/app/dist/images" "$prime/app/bin/azure-iot-edge-image" "$prime/app/bin/image-service"
cp -a "$root/node_modules" "$prime/app/node_modules"
(cd "$prime/app" && node "$root/snap/local/omit-image-service.js" && npm prune --omit=dev --offline --no-audit --no-fund --loglevel=error >&2 && rm -f package-lock.json)

# The Docker engine: the engine part of snap/snapcraft.yaml, staged the way snapcraft stages it
# (stage-part.sh applies its `stage:` entries to the unpacked packages; an entry that matches
# nothing fails the build). The packages are Debian trixie's, the nearest to the Ubuntu
# 24.04 ones the real snap stages (docker 26.1, containerd 1.7, runc 1.1), fetched once with a
# private apt configuration (test/env/debian-fetch.sh) and cached under .tmp/snap-local-debs.
engine_pkgs=(docker.io docker-cli containerd runc tini iptables libip4tc2 libip6tc2 libxtables12 libnftnl11 libmnl0
  libnetfilter-conntrack3 libnfnetlink0 libdevmapper1.02.1 libseccomp2 pigz xz-utils iproute2)
debs=$root/.tmp/snap-local-debs/$(printf '%s\n' "${engine_pkgs[@]}" | sha256sum | cut -c1-12)
exec 9>"$root/.tmp/snap-local-debs.lock"; flock 9
if [ ! -f "$debs/.done" ]; then
  rm -rf "$root/.tmp/snap-local-debs" && mkdir -p "$debs"
  "$root/test/env/debian-fetch.sh" trixie "$debs" "${engine_pkgs[@]}" >/dev/null
  touch "$debs/.done"
fi
exec 9>&-
install=$out/engine-install
rm -rf "$install" && mkdir -p "$install"
for d in "$debs"/*.deb; do dpkg-deb -x "$d" "$install"; done
# = the part's override-build: the iptables commands are alternatives links the snap does not ship.
for t in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
  ln -sf xtables-nft-multi "$install/usr/sbin/$t"
done
NODE_PATH="$root/node_modules" "$root/snap/local/stage-part.sh" "$root/snap/snapcraft.yaml" docker-engine "$install" "$prime"
rm -rf "$install"
"$root/snap/local/check-glibc.sh" "$prime" 2.39

# Hooks: the shims, under the names snapd runs.
cp -a "$root/hooks/." "$prime/meta/hooks/"
chmod 0755 "$prime"/meta/hooks/* "$prime"/app/bin/*

NODE_PATH="$root/node_modules" node "$root/snap/local/derive-snap-yaml.js" "$root/snap/snapcraft.yaml" "$arch" >"$prime/meta/snap.yaml"

version=$(sed -n 's/^version: *//p' "$prime/meta/snap.yaml" | tr -d "'\"")
file=azure-iot-edge_${version}_${arch}.snap
"$snap_cmd" pack --compression=lzo "$prime" "$out" --filename="$file" >&2
rm -rf "$prime"
for old in "$root"/.tmp/snap-local-cache/*/; do rm -rf "$old"; done
mkdir -p "$cache" && cp "$out/$file" "$cache/$file" && echo "$file" >"$cache/.done"
echo "$out/$file"
