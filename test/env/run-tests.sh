#!/usr/bin/env bash
# `make test`'s jest run in two phases: every suite but the VM test (two workers), then the VM test
# alone. Under TCG the guest runs on whatever CPU the host has free: beside the other suites the
# VM test took 39-47 minutes in CI, most of it waiting for CPU (docs/snap.md, "Figures (VM, TCG)").
# Both phases always run; their results are merged into .tmp/jest-results.json (what .ci/run
# reads), each phase's time is printed, and the exit code is non-zero when either failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
vm=test/e2e/vm.test.ts
status=0
rm -f .tmp/jest-results.json .tmp/jest-rest-results.json .tmp/jest-vm-results.json
t0=$(date +%s)
jest --ci --json --outputFile=.tmp/jest-rest-results.json --testPathIgnorePatterns /node_modules/ "$vm" || status=1
t1=$(date +%s)
jest --ci --json --outputFile=.tmp/jest-vm-results.json "$vm" || status=1
t2=$(date +%s)
node -e '
  const [out, ...parts] = process.argv.slice(1);
  const rs = parts.filter((f) => require("fs").existsSync(f)).map((f) => require(require("path").resolve(f)));
  const sum = (k) => rs.reduce((n, r) => n + (r[k] || 0), 0);
  const keys = ["numTotalTests", "numPassedTests", "numFailedTests", "numPendingTests", "numTotalTestSuites", "numPassedTestSuites", "numFailedTestSuites", "numRuntimeErrorTestSuites"];
  const merged = { ...Object.fromEntries(keys.map((k) => [k, sum(k)])), success: rs.length === parts.length && rs.every((r) => r.success), testResults: rs.flatMap((r) => r.testResults) };
  require("fs").writeFileSync(out, JSON.stringify(merged));
' .tmp/jest-results.json .tmp/jest-rest-results.json .tmp/jest-vm-results.json
echo "tests: the other suites $((t1 - t0)) s, then the VM test alone $((t2 - t1)) s"
exit $status
