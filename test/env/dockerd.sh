#!/usr/bin/env bash
# Start (or stop) a private Docker engine that cannot collide with a host one:
# own socket, pidfile, data-root, exec-root, containerd, bridge and address pool.
# Usage: test/env/dockerd.sh start|stop|env DIR [POOL_OCTET]
#   start: starts dockerd with everything under DIR, waits until it answers, prints DOCKER_HOST
#   POOL_OCTET (default 77) picks 10.POOL.0.0/16 for its networks, so two engines never share a subnet.
set -euo pipefail
cmd=${1:?start|stop|env}; dir=${2:?state directory}; octet=${3:-77}
sock="$dir/docker.sock"
case "$cmd" in
  env) echo "unix://$sock" ;;
  start)
    if [ -S "$sock" ] && DOCKER_HOST="unix://$sock" /usr/bin/docker version >/dev/null 2>&1; then
      echo "unix://$sock"; exit 0
    fi
    command -v dockerd >/dev/null || { echo "dockerd not found: install Debian's docker.io (apt-get install docker.io)" >&2; exit 1; }
    mkdir -p "$dir/data" "$dir/exec"
    # A short exec-root: containerd's socket path must stay under 108 characters.
    exec_root=/run/edge-dockerd-$(echo "$dir" | md5sum | cut -c1-8)
    bridge=edgebr$(echo "$dir" | md5sum | cut -c1-6)
    nohup dockerd -H "unix://$sock" --pidfile "$dir/docker.pid" --data-root "$dir/data" \
      --exec-root "$exec_root" --bridge=none --iptables=false --ip6tables=false \
      --default-address-pool "base=10.$octet.0.0/16,size=24" --shutdown-timeout "${SHUTDOWN_TIMEOUT:-15}" \
      >"$dir/dockerd.log" 2>&1 &
    for _ in $(seq 1 300); do
      DOCKER_HOST="unix://$sock" /usr/bin/docker version >/dev/null 2>&1 && { echo "unix://$sock"; exit 0; }
      sleep 0.1
    done
    echo "dockerd did not answer on $sock within 30 s; see $dir/dockerd.log" >&2; tail -5 "$dir/dockerd.log" >&2; exit 1 ;;
  stop)
    [ -f "$dir/docker.pid" ] || exit 0
    pid=$(cat "$dir/docker.pid"); kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true ;;
  *) echo "usage: $0 start|stop|env DIR" >&2; exit 2 ;;
esac
