#!/usr/bin/env bash
# The one test command (README): installs what it needs, then runs every check. Any failure,
# or any runtime suite that runs no test, fails the whole command.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
step() { printf '\n=== %s\n' "$*"; }

step setup
scripts/setup.sh

step "cargo fmt --check"
cargo fmt --check

step "cargo clippy (native, all targets; wasm32 transport and bindings)"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy --target wasm32-unknown-unknown --lib -- -D warnings

step "native cargo test (pure core)"
cargo test --workspace

step "wasm-bindgen-test in Node and headless Chromium"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export CHROMEDRIVER=/usr/bin/chromedriver
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$ROOT/tests/webdriver.json"
export WASM_BINDGEN_TEST_TIMEOUT=120
cargo test --target wasm32-unknown-unknown --test wasm_node --test wasm_browser

step "fuzz smoke (each target, short run)"
scripts/fuzz.sh smoke

step "build pkg/"
scripts/build.sh

step "tsc --strict over the TypeScript examples"
tsc -p tests/types/tsconfig.json

step "local platform tests"
node --test tests/platform/

step "client, chat, workflow, error and canary tests against the local platform (Node)"
node --test --test-timeout=120000 tests/node/

step "end-to-end: the built package in Node, workerd, a Chromium page and an MV3 extension"
node tests/e2e/run.mjs

step "fault matrix: every platform fault x every surface, in Node and workerd"
node tests/matrix/run.mjs

step "soak (short): 2,000 mixed calls with random faults and aborts, memory and canary checks"
node tests/soak/run.mjs --calls 2000

step "playground page in Chromium, and the demo command"
DEMO_SKIP_BUILD=1 node --test --test-timeout=300000 tests/playground/
