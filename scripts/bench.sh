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
