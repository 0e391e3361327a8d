# The two commands a newcomer runs: `make run` and `make test`. Both install what they need.
SHELL := /bin/bash
RUN_DIR ?= $(CURDIR)/.tmp/run
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: deps build typecheck lint test test-unit test-e2e run stop bench bench-quick soak soak-snap snap snap-local clean cli-bundle

deps:
	@test/env/install-deps.sh

build: deps
	@tsc -p tsconfig.json
	@$(MAKE) --no-print-directory cli-bundle

typecheck: deps
	@tsc -p tsconfig.test.json

# typescript-eslint's recommended type-checked rules (eslint.config.mjs says which are off, and why).
lint: deps
	@eslint src test bench

# Unit, contract and integration tests (each integration suite starts its own private dockerd),
# the end-to-end tests of the built snap under a real snapd, then the VM test alone
# (test/env/run-tests.sh: the guest's speed under TCG is the host's free CPU).
# The snapd lab is prepared (debootstrap, images: minutes on a fresh machine, cached after) before jest,
# so no test's own time bound has to cover a first build.
test: build typecheck lint
	@test/env/snapd-lab.sh prepare >/dev/null
	@test/env/run-tests.sh

test-unit: build
	@jest --ci test/unit test/contract

# The built snap under a real snapd in a systemd container (part of `make test` too).
test-e2e: build
	@jest --ci test/e2e

# A private dockerd, edged running the bundled example deployment, then `iotedge list`.
run: build
	@examples/run.sh "$(RUN_DIR)"

stop:
	@examples/run.sh --stop "$(RUN_DIR)"

# The iotedge CLI bundled (bin/iotedge prefers it when newer than tsc's output): faster start-up.
# iotedge-fast.js answers list/version alone and loads iotedge.js (the whole CLI) for the rest.
# Keep the flags in step with test/integration/cli/cli-bundle.ts.
CLI_BUNDLE_FLAGS := --bundle --minify --platform=node --target=node20 --log-level=warning \
  --external:dockerode --external:ssh2 --external:cpu-features --external:node-forge --external:chokidar --external:fsevents
cli-bundle:
	@esbuild src/cli/main.ts $(CLI_BUNDLE_FLAGS) --outfile=dist/cli/iotedge.js
	@esbuild src/cli/fast-main.ts $(CLI_BUNDLE_FLAGS) --outfile=dist/cli/iotedge-fast.js

# Figures against baselines on the same engine in the same run (docs/performance.md); not in CI.
bench: build
	@node bench/run.js

# The smallest sizes and few rounds, for checking a change while developing.
bench-quick: build
	@BENCH_QUICK=1 node bench/run.js

# Idle memory of the appliance's Node processes over SOAK_MINUTES (default 60), sampled every 30 s.
soak: build
	@node bench/run.js soak

# The same for the two supervisors and edged as they run in the snap, under snapd in the lab
# container (SOAK_MINUTES, default 20); holds the lab's lock.
soak-snap: build
	@node bench/run.js soak-snap

snap:
	snapcraft pack

snap-local: build
	@snap/local/build.sh

clean:
	rm -rf dist build .tmp *.snap
