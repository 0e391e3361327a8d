#!/usr/bin/env bash
# LAB ONLY: make a snapd-lab container (SNAPD_LAB_SUITE=sid, snapd 2.77) trust this repo's confdb
# schema without the store. Offline, `snap ack` refuses a chain no store key signed, so:
# a local key (gpg, as `snap create-key` makes it), `snap sign` of an account, its account-key
# and the confdb-schema (snap/confdb/statement.js), written into snapd's assertion store with
# snapd stopped: its filesystem backstore is read without re-checking signatures
# (asserts/fsbackstore.go). Never on a device: a real schema is signed with the publisher's
# store-registered key and acknowledged with `snap ack` (docs/confdb.md).
#
#   confdb-lab.sh plant NAME [ACCOUNT]   (DOCKER_HOST: the lab's engine, as snapd-lab.sh prints it)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cmd=${1:?usage: confdb-lab.sh plant NAME [ACCOUNT]}
name=${2:?container name}
account=${3:-aziot-publisher}
[ "$cmd" = plant ] || { echo "usage: confdb-lab.sh plant NAME [ACCOUNT]" >&2; exit 2; }
docker=/usr/bin/docker
in_lab() { "$docker" exec -i "$name" "$@"; }
log() { echo "confdb-lab: $*" >&2; }

now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
node "$root/snap/confdb/statement.js" --account "$account" --snapd 2.69 --timestamp "$now" >"$work/schema.json"
"$docker" cp "$work/schema.json" "$name:/root/confdb-schema.json"

log "local signing key (RSA 4096, no passphrase) and the three assertions"
in_lab sh -eu -s -- "$account" "$now" <<'EOS'
account=$1; now=$2
export SNAP_GNUPG_HOME=/root/lab-gnupg
# snap prefers gpg1 when installed (snapd depends on gnupg1 | gnupg); the key is made by gpg 2.
export SNAP_GNUPG_CMD=/usr/bin/gpg
mkdir -p -m 0700 "$SNAP_GNUPG_HOME"
# What `snap create-key lab` asks gpg for (asserts/gpgkeypairmgr.go), without its passphrase prompt.
printf 'Key-Type: RSA\nKey-Length: 4096\nName-Real: lab\nCreation-Date: %s\n%%no-protection\n%%commit\n' "$(date -u +%Y%m%dT%H%M%S)" |
  gpg --homedir "$SNAP_GNUPG_HOME" -q --batch --gen-key 2>/dev/null
# The public key as an account-key body: the body (second paragraph) of the request export-key makes.
snap export-key --account="$account" lab >/root/account-key-request.assert
id=$(sed -n 's/^public-key-sha3-384: *//p' /root/account-key-request.assert)
pub=$(awk -v RS= 'NR == 2' /root/account-key-request.assert | tr -d '\n')
[ -n "$id" ] && [ -n "$pub" ] || { echo "confdb-lab: no public key exported" >&2; exit 1; }
json() { sed 's/\\/\\\\/g; s/"/\\"/g' ; }
cat >/root/account.json <<EOF
{"type":"account","authority-id":"$account","account-id":"$account","display-name":"Lab publisher","username":"$account","validation":"unproven","timestamp":"$now"}
EOF
cat >/root/account-key.json <<EOF
{"type":"account-key","authority-id":"$account","account-id":"$account","name":"lab","public-key-sha3-384":"$id","since":"$now","body":"$(printf '%s' "$pub" | json)"}
EOF
snap sign -k lab </root/account.json >/root/account.assert
snap sign -k lab </root/account-key.json >/root/account-key.assert
snap sign -k lab </root/confdb-schema.json >/root/confdb-schema.assert
systemctl daemon-reload
# An old catalog mtime postpones the offline catalog refresh that holds seeding ~33 s (shared/snapd-lab).
mkdir -p /var/cache/snapd && touch /var/cache/snapd/names && touch -d '2026-01-01 00:00' /var/cache/snapd/names
systemctl stop snapd.socket snapd.service
a=/var/lib/snapd/assertions/asserts-v0
install -D -m 0644 /root/account.assert "$a/account/$account/active"
install -D -m 0644 /root/account-key.assert "$a/account-key/$id/active"
install -D -m 0644 /root/confdb-schema.assert "$a/confdb-schema/$account/azure-iot-edge/active"
systemctl start snapd.socket snapd.service
snap wait system seed.loaded
snap set system experimental.confdb=true
EOS
log "planted $account/azure-iot-edge; experimental.confdb=true"
