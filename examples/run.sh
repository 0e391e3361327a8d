#!/usr/bin/env bash
# `make run`: a private dockerd, the example images, and edged running examples/deployment.json
# itself (no cloud), then `iotedge list`. `make stop` (--stop) stops edged, the modules and dockerd.
# Usage: examples/run.sh [--stop] RUN_DIR      (make has already installed deps and built dist/)
# Safe to run again: what already runs is kept, what is missing is started.
set -euo pipefail
stop=false
if [ "${1:-}" = "--stop" ]; then stop=true; shift; fi
run_dir=${1:?usage: examples/run.sh [--stop] RUN_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$run_dir"
run_dir=$(cd "$run_dir" && pwd)
docker_dir="$run_dir/docker"
home="$run_dir/edged"
# Where `iotedge system status|logs|stop` look for a development edged (IOTEDGE_EDGED_HOME).
pidfile="$home/edged.pid"
log="$home/edged.log"
mgmt="unix://$home/mgmt.sock"
docker=/usr/bin/docker
[ -x "$docker" ] || docker=docker
# A /16 for the run's networks that the test engines (10.100-249.x) never use.
pool_octet=${RUN_POOL_OCTET:-87}

edged_running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

if $stop; then
  if edged_running; then
    pid=$(cat "$pidfile"); kill "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    echo "edged stopped"
  fi
  rm -f "$pidfile"
  if [ -S "$docker_dir/docker.sock" ]; then
    export DOCKER_HOST="unix://$docker_dir/docker.sock"
    ids=$("$docker" ps -aq --filter label=net.azure-devices.edge.owner=Microsoft.Azure.Devices.Edge.Agent 2>/dev/null || true)
    [ -z "$ids" ] || { "$docker" rm -f $ids >/dev/null; echo "modules removed"; }
  fi
  "$root/test/env/dockerd.sh" stop "$docker_dir"
  echo "dockerd stopped (state kept in $docker_dir; images are reused by the next make run)"
  exit 0
fi

echo "==> private dockerd ($docker_dir)"
DOCKER_HOST=$(SHUTDOWN_TIMEOUT=5 "$root/test/env/dockerd.sh" start "$docker_dir" "$pool_octet")
export DOCKER_HOST

echo "==> example images (from Debian's busybox-static, docker import)"
"$root/examples/build-images.sh"

# The deployment edged watches: a copy the newcomer may edit (saved changes apply at once).
deployment="$run_dir/deployment.json"
[ -f "$deployment" ] || cp "$root/examples/deployment.json" "$deployment"

cat >"$run_dir/config.toml" <<TOML
# Written by examples/run.sh. edged runs the deployment below itself: no IoT Hub, no edgeAgent.
[moby_runtime]
uri = "$DOCKER_HOST"
network = "azure-iot-edge"

[connect]
management_uri = "$mgmt"
workload_uri = "unix://$home/workload.sock"

[listen]
management_uri = "$mgmt"
workload_uri = "unix://$home/workload.sock"

[local_deployment]
file = "$deployment"
TOML
chmod 600 "$run_dir/config.toml"

if edged_running; then
  echo "==> edged already runs (pid $(cat "$pidfile"))"
else
  echo "==> edged (log: $log)"
  install -d -m 700 "$home"
  touch "$run_dir/.edged-started"
  nohup node "$root/bin/edged" --config "$run_dir/config.toml" --home "$home" >>"$log" 2>&1 &
  echo $! >"$pidfile"
fi

echo "==> waiting for the modules"
state="$home/reported-state.json"
for _ in $(seq 1 600); do
  edged_running || { echo "edged exited; the end of $log:" >&2; tail -20 "$log" >&2; exit 1; }
  # The state file must be this edged's (newer than its start), and the API must answer.
  if [ -f "$state" ] && [ "$state" -nt "$run_dir/.edged-started" ] && grep -q '"runtimeStatus": "running"' "$state" \
    && grep -q '"code": 200' "$state" && [ -S "$home/mgmt.sock" ]; then break; fi
  sleep 0.1
done
grep -q '"code": 200' "$state" 2>/dev/null || { echo "the deployment did not come up within 60 s; see $log" >&2; tail -20 "$log" >&2; exit 1; }

iotedge="$root/bin/iotedge"
echo
"$iotedge" -H "$mgmt" list
cat <<HELP

edged runs $deployment (a copy of examples/deployment.json; edit it and save: the change is applied).
  export IOTEDGE_HOST=$mgmt IOTEDGE_EDGED_HOME=$home IOTEDGE_EDGED_CONFIG=$run_dir/config.toml
  $iotedge list                            # crasher shows Backoff between its crashes
  $iotedge logs -f tempSensor              # simulated temperature readings
  $iotedge restart tempSensor
  $iotedge system status                   # edged and the image collector
  $iotedge check -c $run_dir/config.toml
  cat $state                               # the reported state
  DOCKER_HOST=$DOCKER_HOST /usr/bin/docker ps
  make stop                                # stops edged, the modules and this dockerd
HELP
