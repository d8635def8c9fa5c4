#!/usr/bin/env bash
# Runs every test and prints how long each stage took.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

declare -a timings=()
stage() {
  local name=$1; shift
  printf '\n== test: %s\n' "$name"
  local started=$SECONDS
  "$@"
  timings+=("$(printf '%-34s %5ss' "$name" "$((SECONDS - started))")")
}
report() {
  printf '\n== stage timings\n'
  printf '   %s\n' "${timings[@]}"
}
trap report EXIT

# The same LEPTOS_OUTPUT_NAME cargo-leptos sets, so `cargo test` and
# `cargo leptos build` share one build of the dependencies.
export LEPTOS_OUTPUT_NAME=kundenportal

stage "build (cargo leptos build)" cargo leptos build
stage "unit tests (app, ssr)" cargo test -p app --features ssr
stage "integration tests (server)" cargo test -p server
stage "end-to-end (Playwright, Chromium)" bash -c "cd end2end && npx playwright test"
