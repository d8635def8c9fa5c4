#!/usr/bin/env bash
# Installs what building and testing Kundenportal needs, and only what is
# missing: the wasm32 target, wasm-bindgen-cli (the version in Cargo.lock),
# cargo-nextest, the npm tools (sass, wasm-opt, Playwright, axe-core) and
# Chromium. `--watch` adds cargo-leptos, which only `make watch` uses: it
# takes 13–22 minutes to compile, and scripts/build.sh runs the same steps
# without it. Safe to run again: every step checks first and prints its time.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf '\n== setup: %s\n' "$*"; }
timed() {
  local started=$SECONDS
  "$@"
  printf '   (%ss)\n' "$((SECONDS - started))"
}

step "wasm32-unknown-unknown target"
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "   present"
else
  timed rustup target add wasm32-unknown-unknown
fi

if [ "${1:-}" = "--watch" ]; then
  step "cargo-leptos $CARGO_LEPTOS_VERSION (for make watch)"
  if cargo leptos --version 2>/dev/null | grep -q " $CARGO_LEPTOS_VERSION\$"; then
    echo "   present"
  else
    # The newest release needs a newer rustc than stable; this pin builds with --locked.
    timed cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION"
  fi
fi

step "wasm-bindgen-cli $WASM_BINDGEN_VERSION (from Cargo.lock)"
if wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
  echo "   present"
else
  # Not --locked: its lock file names a crate version the registry no longer has.
  timed cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

step "cargo-nextest (runs each test in its own process, in parallel)"
if cargo nextest --version >/dev/null 2>&1; then
  echo "   present"
else
  timed cargo install cargo-nextest --locked
fi

step "npm tools (sass, binaryen, @playwright/test, @axe-core/playwright, oauth4webapi) from package-lock.json"
if [ -x node_modules/.bin/sass ] && [ -x node_modules/.bin/wasm-opt ] && [ -x node_modules/.bin/playwright ] \
  && [ -d node_modules/@axe-core/playwright ] \
  && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  echo "   present"
else
  timed npm ci --no-audit --no-fund
fi

step "Chromium for the end-to-end tests"
if [ -x /usr/bin/chromium ]; then
  echo "   present"
else
  # Playwright cannot download its own browser here; Debian's works.
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  timed bash -c "$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null"
fi

step "PostgreSQL (the suite runs on it as well as on SQLite)"
if scripts/postgres-server.sh available; then
  echo "   present"
else
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  # Only the binaries: tests start their own throwaway server (scripts/postgres-server.sh).
  timed bash -c "$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null"
fi

step "S3-compatible test server (moto, from PyPI, into .tools/moto)"
if [ -x .tools/moto/bin/moto_server ]; then
  echo "   present"
else
  if ! python3 -m venv --help >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    timed bash -c "$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null"
  fi
  timed scripts/s3-server.sh install
fi
