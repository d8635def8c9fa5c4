#!/usr/bin/env bash
# Runs every test and prints how long each stage took.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# The value scripts/build.sh compiles with: one compilation serves the build,
# the Rust tests and the end-to-end suite.
export LEPTOS_OUTPUT_NAME=kundenportal

declare -a timings=()
stage() {
  local name=$1; shift
  printf '\n== test: %s\n' "$name"
  local started=$SECONDS
  "$@"
  timings+=("$(printf '%-38s %5ss' "$name" "$((SECONDS - started))")")
}
report() {
  printf '\n== stage timings\n'
  printf '   %s\n' "${timings[@]}"
}
trap report EXIT

stage "layering (no import circle)" scripts/check-layers.py
stage "build (scripts/build.sh)" scripts/build.sh
# Each test in its own process (cargo-nextest), in parallel: Leptos' SSR
# executor is process-wide, so tests sharing a process had to run in a row.
stage "Rust unit + integration (nextest)" cargo nextest run --package app --package server --features app/ssr
stage "end-to-end (Playwright, Chromium)" bash -c "cd end2end && npx playwright test"
