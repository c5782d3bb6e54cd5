#!/usr/bin/env bash
# Benchmark suite (not part of the tests): size, per-request overhead, streaming, cold start and
# memory of agentwire against openai, @anthropic-ai/sdk, ky and ai. Writes bench/out/report.md and
# bench/out/report.json and prints a table. ~5-8 minutes; `scripts/bench.sh --quick` for a smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
if [ ! -x node_modules/.bin/esbuild ] || [ ! -x node_modules/.bin/workerd ]; then
  echo "bench: node_modules/.bin/esbuild or workerd missing: run scripts/setup.sh first" >&2
  exit 1
fi
# Bench dependencies from the committed lockfile, reinstalled only when it changed.
stamp=bench/node_modules/.agentwire-bench-lock
if [ ! -f "$stamp" ] || ! cmp -s bench/package-lock.json "$stamp"; then
  (cd bench && npm ci --no-audit --no-fund)
  cp bench/package-lock.json "$stamp"
fi
[ -f pkg/agentwire_bg.wasm ] && [ -f pkg/package.json ] || scripts/build.sh
# The suite imports "agentwire" as a user would: the built package, linked into bench/node_modules.
ln -sfn ../../pkg bench/node_modules/agentwire
exec node bench/run.mjs "$@"
