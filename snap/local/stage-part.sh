#!/usr/bin/env bash
# Copies what one part of snapcraft.yaml stages from SRC (the part's unpacked packages) to DEST:
# its `stage:` globs, as snapcraft applies them; an entry that matches nothing fails, naming it.
# Usage: snap/local/stage-part.sh SNAPCRAFT_YAML PART SRC DEST
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
yaml=${1:?snapcraft.yaml}; part=${2:?part}; src=${3:?source}; dest=${4:?destination}
list=$(node "$here/stage-entries.js" "$yaml" "$part")
cd "$src"
shopt -s nullglob
while IFS=$'\t' read -r _ entry; do
  [ -n "$entry" ] || continue
  case "$entry" in -*) continue ;; esac
  # shellcheck disable=SC2206 # the entry is a glob, as in snapcraft
  matches=($entry)
  [ ${#matches[@]} -gt 0 ] || { echo "stage-part: stage entry $entry of part $part matches nothing in $src" >&2; exit 1; }
  for m in "${matches[@]}"; do mkdir -p "$dest/$(dirname "$m")" && cp -a "$m" "$dest/$(dirname "$m")/"; done
done <<<"$list"
