#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and benchmarks.
#
#   eval "$(scripts/postgres-server.sh start)"   # prints export KP_TEST_POSTGRES_URL=… KP_TEST_POSTGRES_DIR=…
#   scripts/postgres-server.sh stop [dir]        # stops it and deletes its data (default: $KP_TEST_POSTGRES_DIR)
#   scripts/postgres-server.sh available         # exit 0 when PostgreSQL's binaries are installed
#   scripts/postgres-server.sh createdb NAME     # a new database on the server in $KP_TEST_POSTGRES_URL; prints its URL
#   scripts/postgres-server.sh pause DIR         # stops the server, keeping its data (an outage)
#   scripts/postgres-server.sh resume DIR        # starts it again on the same port
#
# initdb into a new temporary directory, a free port, listening on 127.0.0.1
# only, trust authentication (nothing else can reach it), fsync off (the data
# is thrown away). initdb refuses to run as root, so as root the server runs as
# the `postgres` user. Everything but the export lines goes to stderr.
set -euo pipefail

log() { echo "postgres-server: $*" >&2; }

bindir() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    su postgres -s /bin/bash -c "$*"
  else
    bash -c "$*"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
  local bin dir port
  bin="$(bindir)" || { log "PostgreSQL is not installed (scripts/setup.sh installs it)"; exit 1; }
  dir="$(mktemp -d "${TMPDIR:-/tmp}/kp-postgres.XXXXXX")"
  chmod 755 "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  as_owner "'$bin/initdb' -D '$dir/data' -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >'$dir/initdb.log' 2>&1" \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  port="$(free_port)"
  echo "$port" > "$dir/port"
  run_server "$bin" "$dir" "$port"
  log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $dir)"
  echo "export KP_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$port/postgres"
  echo "export KP_TEST_POSTGRES_DIR=$dir"
}

run_server() {
  local bin="$1" dir="$2" port="$3"
  as_owner "'$bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -t 60 \
    -o \"-c listen_addresses=127.0.0.1 -p $port -k '$dir' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300\" start >&2" \
    || { cat "$dir/server.log" >&2; exit 1; }
}

pause() {
  local dir="$1"
  as_owner "'$(bindir)/pg_ctl' -D '$dir/data' -m fast -w stop >&2"
}

resume() {
  local dir="$1"
  run_server "$(bindir)" "$dir" "$(cat "$dir/port")"
}

stop() {
  local dir="${1:-${KP_TEST_POSTGRES_DIR:-}}" bin
  [ -n "$dir" ] && [ -d "$dir/data" ] || return 0
  bin="$(bindir)"
  as_owner "'$bin/pg_ctl' -D '$dir/data' -m immediate -w stop >/dev/null 2>&1" || true
  rm -rf "$dir"
  log "stopped and removed $dir"
}

createdb() {
  local name="$1" bin
  bin="$(bindir)"
  "$bin/psql" -q -v ON_ERROR_STOP=1 "$KP_TEST_POSTGRES_URL" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >&2
  echo "${KP_TEST_POSTGRES_URL%/*}/$name"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  available) bindir >/dev/null ;;
  createdb) createdb "$2" ;;
  pause) pause "$2" ;;
  resume) resume "$2" ;;
  *) echo "usage: $0 start|stop [dir]|available|createdb NAME|pause DIR|resume DIR" >&2; exit 2 ;;
esac
