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

declare -a counts=()
report() {
  printf '\n== stage timings\n'
  printf '   %s\n' "${timings[@]}"
  if [ "${#counts[@]}" -gt 0 ]; then
    printf '\n== tests run per configuration\n'
    printf '   %s\n' "${counts[@]}"
  fi
}
servers_down() {
  [ -n "${KP_TEST_S3_PID:-}" ] && scripts/s3-server.sh stop "$KP_TEST_S3_PID" || true
  [ -n "${KP_TEST_POSTGRES_DIR:-}" ] && scripts/postgres-server.sh stop "$KP_TEST_POSTGRES_DIR" || true
}
trap 'servers_down; report' EXIT

# Runs nextest and keeps its summary line ("158 tests run: 158 passed …").
nextest() {
  local label=$1; shift
  local log
  log=$(mktemp)
  env "$@" cargo nextest run --package app --package server --features app/ssr 2>&1 | tee "$log"
  counts+=("$(printf '%-28s %s' "$label" "$(grep -E '^ +Summary' "$log" | tail -1 | sed -E 's/.*\] +//')")")
  rm -f "$log"
}
playwright() {
  local label=$1; shift
  local log
  log=$(mktemp)
  (cd end2end && env "$@" npx playwright test) 2>&1 | tee "$log"
  counts+=("$(printf '%-28s %s' "$label" "$(grep -E '^ +[0-9]+ (passed|failed)' "$log" | tr -s ' ' | paste -sd, -)")")
  rm -f "$log"
}

stage "layering (no import circle)" scripts/check-layers.py
stage "build (scripts/build.sh)" scripts/build.sh

# The whole suite twice: on SQLite with local files (the embedded
# default), then on a throwaway PostgreSQL server with a local
# S3-compatible store (moto), both started here and stopped at the end.
scripts/postgres-server.sh available || { echo "PostgreSQL is missing: run scripts/setup.sh" >&2; exit 1; }
servers_up() {
  eval "$(scripts/postgres-server.sh start)"
  eval "$(scripts/s3-server.sh start kp-test)"
}
stage "start PostgreSQL + S3 (moto)" servers_up

# Each test in its own process (cargo-nextest), in parallel: Leptos' SSR
# executor is process-wide, so tests sharing a process had to run in a row.
stage "Rust tests: SQLite + files" nextest "Rust, SQLite + files" KP_TEST_POSTGRES_URL= KP_TEST_S3_BUCKET=
stage "Rust tests: PostgreSQL + S3" nextest "Rust, PostgreSQL + S3" KP_TEST_S3_BUCKET=kp-test
stage "end-to-end: SQLite + files" playwright "Playwright, SQLite + files"
E2E_DATABASE_URL=$(scripts/postgres-server.sh createdb kp_e2e)
stage "end-to-end: PostgreSQL + S3" playwright "Playwright, PostgreSQL + S3" \
  KP_DATABASE_URL="$E2E_DATABASE_URL" KP_STORAGE_URL=s3://kp-test/e2e E2E_PORT=3108
