# Kundenportal. `make run` starts the portal, `make test` runs every test.
# Both install what is missing first (scripts/setup.sh) and can be run again.

SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# Read by leptos at compile time; the same value for every cargo call keeps
# one compilation for the build, the tests and the end-to-end suite.
export LEPTOS_OUTPUT_NAME := kundenportal

KP_DATA_DIR ?= ./data
export KP_DATA_DIR

.PHONY: run test setup build build-release test-rust test-e2e bench watch clean

setup:
	@scripts/setup.sh

## The portal on http://127.0.0.1:3000 with SQLite in ./data, mails in ./data/mail and the demo customer.
run: setup build-release
	@./target/release/kundenportal demo
	@LEPTOS_SITE_ROOT=target/site ./target/release/kundenportal serve

## Debug server and WASM into target/ (what the tests use).
build:
	@scripts/build.sh

## Release server and size-optimised WASM.
build-release:
	@scripts/build.sh --release

## Development with rebuild and reload on every change (installs cargo-leptos on first use).
watch:
	@scripts/setup.sh --watch
	cargo leptos watch

## Every Rust test (unit and integration), then Playwright against the real server in Chromium.
test: setup
	@scripts/test.sh

test-rust:
	cargo nextest run --package app --package server --features app/ssr

test-e2e: build
	cd end2end && npx playwright test

## Figures, not pass/fail: sign-in and reset timings for existing, unknown, inactive and locked accounts;
## bytes sent for the WASM, JS and CSS of the last build (raw, gzip, brotli).
bench:
	@scripts/bench.sh

clean:
	cargo clean
	rm -rf data node_modules end2end/test-results
