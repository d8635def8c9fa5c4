#!/usr/bin/env bash
# Lighthouse (mobile, simulated throttling — its defaults) on the login
# page, the start page, Dokumente and Profil of the release build, signed in
# as the demo user; the median of three runs per page, all in one run on
# this machine. Part of `make bench`; needs `make build-release` first.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

if [ ! -x target/release/kundenportal ] || [ ! -f target/site/hash.txt ]; then
  echo "Lighthouse: no release build — run \`make build-release\` first"
  exit 0
fi
if [ ! -x node_modules/.bin/lighthouse ]; then
  echo "Lighthouse: installing it (npm, once)"
  npm install --no-save --no-audit --no-fund lighthouse@12 >/dev/null
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "Lighthouse: no /usr/bin/chromium — \`make test\` installs it"
  exit 0
fi

port=${LIGHTHOUSE_PORT:-3217}
base="http://127.0.0.1:$port"
data=$(mktemp -d)
reports=$(mktemp -d)
export KP_DATA_DIR="$data" KP_BASE_URL="$base" KP_LOG=warn LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_ADDR="127.0.0.1:$port"
password=$(target/release/kundenportal demo | sed -n 's/.*Passwort »\(.*\)«.*/\1/p')
target/release/kundenportal serve >"$data/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; rm -rf "$data" "$reports"' EXIT
for _ in $(seq 50); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done

# Signed in as the demo user, its first sign-in finished.
form_post() { curl -s -o /dev/null -D - -X POST -H 'Sec-Fetch-Site: same-origin' -H 'Accept: text/html' "$@"; }
cookie=$(form_post --data-urlencode "username=demo" --data-urlencode "password=$password" "$base/api/auth/login" \
  | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(kp_session=[^;]*\).*/\1/p')
version=$(curl -s -H "Cookie: $cookie" "$base/datenschutz-akzeptieren" | grep -o 'name="version" value="[0-9]*"' | grep -o '[0-9]*"$' | tr -d '"' || true)
[ -n "$version" ] && form_post -H "Cookie: $cookie" --data "version=$version" "$base/api/auth/accept_privacy" >/dev/null

run() {
  local name=$1 path=$2 headers=$3
  for n in 1 2 3; do
    CHROME_PATH=/usr/bin/chromium lighthouse "$base$path" --quiet --output=json --output-path="$reports/$name-$n.json" \
      --only-categories=performance,accessibility --extra-headers="$headers" \
      --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage" >/dev/null 2>&1 || true
  done
}
echo
echo "Lighthouse (mobile, simulated throttling), median of 3 runs, release build:"
run login /login '{}'
run start / "{\"Cookie\": \"$cookie\"}"
run dokumente /dokumente "{\"Cookie\": \"$cookie\"}"
run profil /profil "{\"Cookie\": \"$cookie\"}"
node scripts/lighthouse-median.mjs "$reports" login start dokumente profil
