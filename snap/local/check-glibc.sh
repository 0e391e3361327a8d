#!/usr/bin/env bash
# Fails when an ELF file under DIR needs a glibc symbol version newer than MAX (core24: 2.39),
# naming the file and the version: such a binary would not start on the device's base.
# Usage: snap/local/check-glibc.sh DIR [MAX]
set -euo pipefail
dir=${1:?directory}; max=${2:-2.39}
bad=0
while IFS= read -r -d '' f; do
  head -c 4 "$f" 2>/dev/null | grep -q $'\x7fELF' || continue
  need=$(objdump -T "$f" 2>/dev/null | grep -oE 'GLIBC_2\.[0-9]+' | sed 's/GLIBC_//' | sort -V | tail -1 || true)
  [ -n "$need" ] || continue
  if [ "$(printf '%s\n%s\n' "$need" "$max" | sort -V | tail -1)" != "$max" ]; then
    echo "check-glibc: ${f#"$dir"/} needs glibc $need, newer than the base's $max" >&2; bad=1
  fi
done < <(find "$dir" -type f -print0)
exit "$bad"
