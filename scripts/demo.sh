#!/usr/bin/env bash
# The one-command demo: builds the package, starts the playground and the local platform on
# localhost, runs the terminal tour, then keeps serving the playground until Ctrl-C.
#
#   scripts/demo.sh              # build, serve, tour, keep serving (Ctrl-C stops everything)
#   scripts/demo.sh --no-wait    # build, serve, tour, then stop and exit (also DEMO_EXIT=1)
#
# Ports: DEMO_PORT (playground, default 8080) and DEMO_PLATFORM_PORT (platform, default 8787);
# when either is taken, random free ports are used instead. 0 means random.
# DEMO_SKIP_BUILD=1 reuses an existing pkg/ instead of rebuilding it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"

WAIT=1
[ "${DEMO_EXIT:-0}" = "1" ] && WAIT=0
for arg in "$@"; do
  case "$arg" in
    --no-wait) WAIT=0 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo: unknown argument $arg (try --help)" >&2; exit 2 ;;
  esac
done
PORT=${DEMO_PORT:-8080}
PLATFORM_PORT=${DEMO_PLATFORM_PORT:-8787}

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
  say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
else
  say() { printf '\n==> %s\n' "$*"; }
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/agentwire-demo.XXXXXX")
SERVER_PID=""
cleanup() {
  trap - EXIT INT TERM
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo; echo "demo: stopping"; exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------------ toolchain + build
need_setup=0
command -v node >/dev/null || { echo "demo: Node.js 20+ is required (https://nodejs.org)" >&2; exit 1; }
command -v cargo >/dev/null || need_setup=1
command -v wasm-bindgen >/dev/null || need_setup=1
[ -x node_modules/.bin/wasm-opt ] || need_setup=1
if command -v rustup >/dev/null; then
  rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown || need_setup=1
fi
if [ "$need_setup" = 1 ] && [ "${DEMO_SKIP_BUILD:-0}" != 1 ]; then
  say "installing the toolchain (scripts/setup.sh)"
  scripts/setup.sh
fi

if [ "${DEMO_SKIP_BUILD:-0}" = 1 ] && [ -f pkg/node.js ] && [ -f pkg/agentwire_bg.wasm ]; then
  say "using the existing pkg/ (DEMO_SKIP_BUILD=1)"
else
  say "building the package (scripts/build.sh)"
  if ! scripts/build.sh >"$WORK/build.log" 2>&1; then
    tail -n 40 "$WORK/build.log" >&2
    echo "demo: the build failed (last 40 lines above)" >&2
    exit 1
  fi
  grep '^size:' "$WORK/build.log" || true
fi

# ------------------------------------------------------------------ serve
start_server() {
  : >"$WORK/serve.out"
  node www/serve.mjs --port "$1" --platform-port "$2" >"$WORK/serve.out" 2>"$WORK/serve.err" &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    if grep -q '^platform:' "$WORK/serve.out"; then return 0; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; return 1; }
    sleep 0.1
  done
  return 1
}

say "starting the playground and the local platform"
if ! start_server "$PORT" "$PLATFORM_PORT"; then
  if grep -q EADDRINUSE "$WORK/serve.err" 2>/dev/null; then
    echo "demo: port $PORT or $PLATFORM_PORT is taken; using random free ports"
    start_server 0 0 || { cat "$WORK/serve.err" >&2; exit 1; }
  else
    cat "$WORK/serve.err" >&2; echo "demo: the playground server did not start" >&2; exit 1
  fi
fi
PLAYGROUND_URL=$(sed -n 's/^playground: *//p' "$WORK/serve.out")
PLATFORM_URL=$(sed -n 's/^platform: *//p' "$WORK/serve.out")
echo "playground: $PLAYGROUND_URL"
echo "platform:   $PLATFORM_URL   (fake platform; any key starting with test- works)"

# ------------------------------------------------------------------ tour
say "running the tour (scripts/tour.mjs) against $PLATFORM_URL"
node scripts/tour.mjs "$PLATFORM_URL"

if [ "$WAIT" = 0 ]; then
  say "done (--no-wait): stopping the servers"
  exit 0
fi

say "open $PLAYGROUND_URL in a browser (API key: test-key). Ctrl-C stops the demo."
wait "$SERVER_PID" || true
SERVER_PID=""
echo "demo: the playground server exited" >&2
