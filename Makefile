# Kundenportal. `make run` starts the portal, `make test` runs every test.
# Both install what is missing first (scripts/setup.sh) and can be run again.

SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

KP_DATA_DIR ?= ./data
export KP_DATA_DIR

.PHONY: run test setup build build-release test-rust test-e2e bench watch clean

setup:
	@scripts/setup.sh

## The portal on http://127.0.0.1:3000 with SQLite in ./data, mails in ./data/mail and the demo customer.
run: setup build-release
	@./target/release/kundenportal demo
	@LEPTOS_SITE_ROOT=target/site ./target/release/kundenportal serve

build:
	cargo leptos build

build-release:
	cargo leptos build --release

## Development with rebuild and reload on every change.
watch: setup
	cargo leptos watch

## Every Rust test (unit and integration), then Playwright against the real server in Chromium.
test: setup
	@scripts/test.sh

test-rust:
	cargo test -p app --features ssr
	cargo test -p server

test-e2e: build
	cd end2end && npx playwright test

## Figures, not pass/fail: sign-in and reset timings for existing, unknown, inactive and locked accounts;
## bytes sent for the WASM, JS and CSS of the last build (raw, gzip, brotli).
bench:
	cargo test -p server --test bench -- --ignored --nocapture

clean:
	cargo clean
	rm -rf data node_modules end2end/test-results
