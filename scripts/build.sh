#!/usr/bin/env bash
# Builds pkg/ (the npm package agentwire) from one release build of the crate.
# Usage: scripts/build.sh            (expects scripts/setup.sh to have run)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"

cargo build --release --target wasm32-unknown-unknown --lib
WASM=target/wasm32-unknown-unknown/release/agentwire.wasm
OUT=target/bindgen
# Assembled beside pkg/ and swapped in at the end, so anything reading pkg/ meanwhile (a test,
# the demo) never sees a half-built package.
NEXT=target/pkg.next
rm -rf "$OUT" "$NEXT"
mkdir -p "$OUT" "$NEXT"
# The web target's glue works in every runtime once instantiated; node.js, workerd.js and
# web.js differ only in how they obtain the WebAssembly.Module (fs, static import, fetch).
wasm-bindgen --target web --out-dir "$OUT/web" --out-name agentwire "$WASM"
# A second target is generated to check the claim that one _bg.wasm serves every target.
wasm-bindgen --target bundler --out-dir "$OUT/bundler" --out-name agentwire "$WASM"
if ! cmp -s "$OUT/web/agentwire_bg.wasm" "$OUT/bundler/agentwire_bg.wasm"; then
  echo "build: the web and bundler targets produced different wasm; refusing to ship one file for both" >&2
  exit 1
fi
wasm-opt -Oz --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$OUT/web/agentwire_bg.wasm" -o "$NEXT/agentwire_bg.wasm"
cp "$OUT/web/agentwire.js" "$NEXT/agentwire.js"
cp js/*.js js/*.d.ts js/package.json "$NEXT/"
cp README.md "$NEXT/README.md"
rm -rf target/pkg.old
[ -d pkg ] && mv pkg target/pkg.old
mv "$NEXT" pkg
rm -rf target/pkg.old

gz() { gzip -9 -c "$1" | wc -c; }
glue_raw=0; glue_gz=0
for f in pkg/*.js; do glue_raw=$((glue_raw + $(wc -c < "$f"))); done
glue_gz=$(cat pkg/*.js | gzip -9 | wc -c)
wasm_raw=$(wc -c < pkg/agentwire_bg.wasm); wasm_gz=$(gz pkg/agentwire_bg.wasm)
printf 'size: agentwire_bg.wasm %d B raw, %d B gzip -9\n' "$wasm_raw" "$wasm_gz"
printf 'size: JS glue (all entries) %d B raw, %d B gzip -9\n' "$glue_raw" "$glue_gz"
printf 'size: total %d B raw, %d B gzip -9\n' $((wasm_raw + glue_raw)) $((wasm_gz + glue_gz))
