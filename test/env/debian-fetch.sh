#!/usr/bin/env bash
# Downloads Debian packages of another suite (trixie, sid) with a private apt configuration under
# .tmp/apt-SUITE: the machine's own sources and lists are never touched. Only the named packages,
# not their dependencies. Prints the path of each .deb.
# Usage: test/env/debian-fetch.sh SUITE OUTDIR PACKAGE[=VERSION]...
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
suite=${1:?suite}; out=${2:?outdir}; shift 2
[ $# -gt 0 ] || { echo "debian-fetch: no package named" >&2; exit 2; }
case "$suite" in bookworm|trixie|sid) ;; *) echo "debian-fetch: unknown suite $suite (bookworm, trixie, sid)" >&2; exit 2 ;; esac
apt_dir=$root/.tmp/apt-$suite
mkdir -p "$root/.tmp"; exec 9>"$root/.tmp/apt-$suite.lock"; flock 9
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$out"
out=$(cd "$out" && pwd)
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main" >"$apt_dir/sources.list"
opts=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$apt_dir/lists"
      -o "Dir::Cache=$apt_dir/cache" -o Debug::NoLocking=1 -o APT::Sandbox::User=root -qq)
# Lists older than a day are refreshed; a fresh one is reused (offline reruns).
if [ -z "$(find "$apt_dir/lists" -name '*_Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
  apt-get "${opts[@]}" update >&2 || { echo "debian-fetch: apt-get update of $suite failed (is deb.debian.org reachable?)" >&2; exit 1; }
fi
cd "$out"
apt-get "${opts[@]}" download "$@" >&2 || { echo "debian-fetch: downloading $* from $suite failed" >&2; exit 1; }
for p in "$@"; do ls -1 "$out/${p%%=*}"_*.deb | tail -1; done
