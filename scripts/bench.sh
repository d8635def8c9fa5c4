#!/usr/bin/env bash
# `make bench`: figures, not pass/fail (server/benches/figures.rs), on
# SQLite and on a throwaway PostgreSQL server started here.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export LEPTOS_OUTPUT_NAME=kundenportal
profile=${BENCH_PROFILE:-dev}
if scripts/postgres-server.sh available; then
  eval "$(scripts/postgres-server.sh start)"
  trap 'scripts/postgres-server.sh stop "$KP_TEST_POSTGRES_DIR"' EXIT
fi
cargo bench --package server --bench figures --profile "$profile"
# Over real TCP with keep-alive: pages, 200 users with ingest beside, one and two instances, both databases.
cargo bench --package server --bench load --profile "$profile"

# What takes the room in the hydrate WASM (the release build's, with names).
wasm=target/wasm32-unknown-unknown/wasm-release/frontend.wasm
if [ -f "$wasm" ]; then
  if ! command -v twiggy >/dev/null; then
    echo "installing twiggy (cargo, once)"
    cargo install twiggy --locked --quiet
  fi
  # As wasm-bindgen emits it (its own sections gone, function names kept),
  # before wasm-opt strips the names.
  bound=$(mktemp -d)
  wasm-bindgen --target web --no-typescript --out-dir "$bound" --out-name kundenportal "$wasm"
  echo
  echo "largest items of the release WASM after wasm-bindgen, before wasm-opt (twiggy top -n 15):"
  twiggy top -n 15 "$bound/kundenportal_bg.wasm"
  rm -rf "$bound"
fi

scripts/lighthouse.sh
