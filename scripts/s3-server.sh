#!/usr/bin/env bash
# Local S3-compatible server for tests (moto_server, installed from PyPI).
#
#   eval "$(scripts/s3-server.sh start [bucket ...])"   # start, export AWS_* / KP_TEST_S3_*
#   scripts/s3-server.sh stop [pid]                     # stop (default: $KP_TEST_S3_PID)
#   scripts/s3-server.sh install                        # only install moto into .tools/moto
#
# `start` installs moto into .tools/moto if it is missing, starts moto_server on a free
# port on 127.0.0.1 in the background (log in a temp file), waits until it answers,
# optionally creates the given buckets, and prints `export` lines on stdout. Everything
# else goes to stderr so the output can be passed to `eval`.
#
# moto keeps all data in memory and does not check signatures. It treats requests
# without an Authorization header as anonymous (403 on existing objects), so clients
# must sign (object_store does when AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are set).
#
# Environment:
#   KP_MOTO_SPEC   pip requirements to install (default: moto[s3]==5.2.5 flask flask-cors)
#   PYTHON         python interpreter used to create the venv (default: python3)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.tools/moto"
# Only what the S3 service needs (140 MB instead of 317 MB for moto[server]).
MOTO_SPEC="${KP_MOTO_SPEC:-moto[s3]==5.2.5 flask flask-cors}"
PYTHON="${PYTHON:-python3}"
HOST=127.0.0.1
# Any AWS SigV4-looking header: moto does not verify it, but without one it applies
# anonymous-access rules.
AUTH_HEADER='Authorization: AWS4-HMAC-SHA256 Credential=test/20000101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0'

log() { echo "s3-server: $*" >&2; }

install_moto() {
    if [ -x "$VENV/bin/moto_server" ]; then
        return 0
    fi
    log "installing $MOTO_SPEC into $VENV"
    mkdir -p "$(dirname "$VENV")"
    "$PYTHON" -m venv "$VENV" >&2
    if ! "$VENV/bin/pip" install --quiet --disable-pip-version-check $MOTO_SPEC >&2; then
        log "pip install failed; removing $VENV"
        rm -rf "$VENV"
        return 1
    fi
    [ -x "$VENV/bin/moto_server" ] || { log "moto_server missing after install"; return 1; }
}

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

is_moto_pid() {
    local pid="$1"
    [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q moto_server
}

start() {
    install_moto
    local attempt port pid logfile code i
    for attempt in 1 2 3; do
        port="$(free_port)"
        logfile="$(mktemp "${TMPDIR:-/tmp}/kp-moto-s3.XXXXXX.log")"
        # setsid + all fds redirected: the server must not hold the caller's stdout
        # (otherwise `eval "$(... start)"` would never return).
        setsid "$VENV/bin/moto_server" -H "$HOST" -p "$port" </dev/null >"$logfile" 2>&1 &
        pid=$!
        code=000
        for i in $(seq 1 150); do  # up to ~30 s
            if ! kill -0 "$pid" 2>/dev/null; then
                break
            fi
            code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$HOST:$port/moto-api/" || true)"
            if [ "$code" != "000" ]; then
                break
            fi
            sleep 0.2
        done
        if kill -0 "$pid" 2>/dev/null && [ "$code" != "000" ]; then
            break
        fi
        log "moto_server did not come up on port $port (attempt $attempt); log:"
        cat "$logfile" >&2 || true
        kill "$pid" 2>/dev/null || true
        rm -f "$logfile"
        pid=""
    done
    if [ -z "$pid" ]; then
        log "giving up"
        return 1
    fi
    log "moto_server pid $pid listening on http://$HOST:$port (log: $logfile)"

    local bucket
    for bucket in "$@"; do
        code="$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "$AUTH_HEADER" "http://$HOST:$port/$bucket")"
        if [ "$code" != "200" ]; then
            log "creating bucket '$bucket' failed: HTTP $code"
            kill "$pid" 2>/dev/null || true
            return 1
        fi
        log "created bucket $bucket"
    done

    printf 'export AWS_ENDPOINT=%q\n' "http://$HOST:$port"
    printf 'export AWS_ALLOW_HTTP=true\n'
    printf 'export AWS_ACCESS_KEY_ID=test\n'
    printf 'export AWS_SECRET_ACCESS_KEY=test\n'
    printf 'export AWS_REGION=us-east-1\n'
    printf 'export KP_TEST_S3_PID=%q\n' "$pid"
    printf 'export KP_TEST_S3_LOG=%q\n' "$logfile"
}

stop() {
    local pid="${1:-${KP_TEST_S3_PID:-}}"
    if [ -z "$pid" ]; then
        log "no pid given and KP_TEST_S3_PID is not set"
        return 1
    fi
    if ! is_moto_pid "$pid"; then
        log "pid $pid is not a running moto_server; nothing to stop"
        return 0
    fi
    kill "$pid"
    local i
    for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "pid $pid still alive, sending SIGKILL"
        kill -9 "$pid" 2>/dev/null || true
    fi
    log "stopped moto_server pid $pid"
    if [ -z "${1:-}" ] && [ -n "${KP_TEST_S3_LOG:-}" ] && [ -f "$KP_TEST_S3_LOG" ]; then
        rm -f "$KP_TEST_S3_LOG"
    fi
}

case "${1:-}" in
    start) shift; start "$@" ;;
    stop) shift; stop "$@" ;;
    install) install_moto ;;
    *)
        echo "usage: $0 start [bucket ...] | stop [pid] | install" >&2
        exit 2
        ;;
esac
