#!/usr/bin/env bash
# Installs what the build and tests need, from the package registries only. Idempotent and
# quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt

# The CLI must equal the wasm-bindgen in Cargo.lock, or the test runner refuses to run.
want=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$want" != "$have" ]; then
  echo "setup: installing wasm-bindgen-cli $want (found: ${have:-none})"
  # Not --locked: the CLI's lockfile pins a webpki-roots release this registry does not serve.
  cargo install wasm-bindgen-cli --version "$want" --force
fi

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  echo "setup: installing chromium and chromium-driver from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# Install from the committed lockfile only when it changed since the last install. Not `npm ci`:
# npm 11 here records workerd's optional darwin/windows binaries without a version (the registry
# serves only what it has), and `npm ci` then refuses a lockfile that `npm install` honours.
stamp=node_modules/.agentwire-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp" || [ ! -x node_modules/.bin/workerd ]; then
  npm install --no-save --no-audit --no-fund
  cp package-lock.json "$stamp"
fi
