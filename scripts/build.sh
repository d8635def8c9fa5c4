#!/usr/bin/env bash
# Builds the portal without cargo-leptos: the same steps it runs, with the
# tools scripts/setup.sh installs. Compiling cargo-leptos itself took 13–22
# minutes on a fresh machine; these steps need only cargo, wasm-bindgen,
# wasm-opt and sass. cargo-leptos stays for `make watch` (reload on change).
#
#   scripts/build.sh            debug server + debug WASM  (make build, make test)
#   scripts/build.sh --release  release server + size-optimised WASM (make run)
#
# Output as cargo-leptos lays it out with hashed file names:
# target/site/{pkg/kundenportal.HASH.{js,wasm,css}[.br|.gz], hash.txt,
# favicon.svg, logo.svg} and target/{debug,release}/kundenportal.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

mode=debug
[ "${1:-}" = "--release" ] && mode=release

# Read at compile time by leptos (the names of the hydration files): set the
# same value for every cargo call, `cargo nextest` included, so that tests and
# this build share one compilation of the server.
export LEPTOS_OUTPUT_NAME=kundenportal

site=target/site
pkg=$site/pkg
staging=target/site-staging

step() {
  local name=$1; shift
  local started=$SECONDS
  "$@"
  printf '   build: %-28s %4ss\n' "$name" "$((SECONDS - started))"
}

wasm_profile_args=()
wasm_dir=debug
server_profile_args=()
if [ "$mode" = release ]; then
  # Size over speed only for the WASM; the server keeps opt-level 3.
  wasm_profile_args=(--profile wasm-release)
  wasm_dir=wasm-release
  server_profile_args=(--release)
fi

build_wasm() {
  cargo build --package frontend --lib --target wasm32-unknown-unknown "${wasm_profile_args[@]}"
}

bindgen() {
  rm -rf "$staging" && mkdir -p "$staging"
  wasm-bindgen --target web --no-typescript --out-dir "$staging" --out-name kundenportal \
    "target/wasm32-unknown-unknown/$wasm_dir/frontend.wasm"
  # Leptos' hydration script loads `{name}.wasm` when LEPTOS_OUTPUT_NAME is set.
  mv "$staging/kundenportal_bg.wasm" "$staging/kundenportal.wasm"
}

optimise_wasm() {
  # The features rustc enables by default for wasm32 must be allowed here too.
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    -o "$staging/kundenportal.wasm" "$staging/kundenportal.wasm"
}

styles() {
  local style=expanded
  [ "$mode" = release ] && style=compressed
  sass --no-source-map --style="$style" style/main.scss "$staging/kundenportal.css"
}

assemble_site() {
  # Swapped in whole, so a running server never serves a half-written site.
  mkdir -p "$site"
  cp -r public/. "$staging/"
  mkdir -p "$staging/pkg"
  # Each file's name carries a hash of its content, so browsers may keep it
  # for a year (`Cache-Control: immutable`) and a new build is never mixed
  # with an old one. The server reads the names from hash.txt (Leptos'
  # format: `js: HASH`); each file is compressed here, once (brotli, gzip).
  : > "$staging/hash.txt"
  local kind hash compress=()
  [ "$mode" = release ] || compress=(--fast)
  for kind in js wasm css; do
    hash=$(sha256sum "$staging/kundenportal.$kind" | cut -c1-16)
    mv "$staging/kundenportal.$kind" "$staging/pkg/kundenportal.$hash.$kind"
    printf '%s: %s\n' "$kind" "$hash" >> "$staging/hash.txt"
    compress+=("$staging/pkg/kundenportal.$hash.$kind")
  done
  # The navigation script (public/navigation.js) under a hashed name too,
  # without its comment lines (they are most of its bytes).
  grep -v '^[[:space:]]*//' public/navigation.js > "$staging/navigation.js"
  hash=$(sha256sum "$staging/navigation.js" | cut -c1-16)
  mv "$staging/navigation.js" "$staging/pkg/navigation.$hash.js"
  printf 'nav: %s\n' "$hash" >> "$staging/hash.txt"
  compress+=("$staging/pkg/navigation.$hash.js")
  node scripts/precompress.mjs "${compress[@]}"
  rm -rf "$site.old"
  [ -d "$site" ] && mv "$site" "$site.old"
  mv "$staging" "$site"
  rm -rf "$site.old"
}

build_server() {
  cargo build --package server --bin kundenportal "${server_profile_args[@]}"
}

printf '== build (%s)\n' "$mode"
step "WASM (frontend)" build_wasm
step "wasm-bindgen" bindgen
if [ "$mode" = release ]; then
  step "wasm-opt -Oz" optimise_wasm
fi
step "sass" styles
step "site" assemble_site
step "server (kundenportal)" build_server
