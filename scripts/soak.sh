#!/usr/bin/env bash
# Soak test: N mixed calls (default 20000) through one AgentClient in one Node process against
# the local platform, with random faults and aborts (~16 concurrent), checking that every call
# settles as a result or an AgentError, that wasm memory grows < 1 MiB and the JS heap < 8 MiB
# after warm-up, and that the canary API key never leaks into logs, errors, results or output.
#
# Usage: scripts/soak.sh [N] [extra args for tests/soak/run.mjs, e.g. --seed 1234 --pkg DIR]
# Needs a built pkg/ (scripts/build.sh). 20000 calls take about 1.5 minutes.
# The short version used by the test command: node tests/soak/run.mjs --calls 2000
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
shift || true
exec node tests/soak/run.mjs --calls "$N" "$@"
