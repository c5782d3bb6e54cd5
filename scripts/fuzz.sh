#!/usr/bin/env bash
# Runs every cargo-fuzz target. `scripts/fuzz.sh smoke` (in the test command): a few seconds
# each. `scripts/fuzz.sh long [SECONDS]`: the real run (default 600 s per target).
# cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP lets the one stable toolchain here accept them.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
mode=${1:-smoke}
case "$mode" in
  smoke) secs=${2:-8} ;;
  long) secs=${2:-600} ;;
  *) echo "usage: scripts/fuzz.sh smoke|long [SECONDS]" >&2; exit 2 ;;
esac
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
export RUSTC_BOOTSTRAP=1
cd fuzz
targets=$(cargo fuzz list)
[ -n "$targets" ] || { echo "fuzz: no targets found" >&2; exit 1; }
for t in $targets; do
  mkdir -p "corpus/$t"
  [ -d "seeds/$t" ] && cp -n seeds/"$t"/* "corpus/$t/" 2>/dev/null || true
  echo "fuzz: $t for ${secs}s"
  cargo fuzz run "$t" "corpus/$t" -- -max_total_time="$secs" -rss_limit_mb=2048 2>&1 | tail -n 3
  # cargo fuzz exits non-zero on a crash; pipefail carries that out.
done
echo "fuzz: $(echo "$targets" | wc -w) targets ran for ${secs}s each with no crash"
