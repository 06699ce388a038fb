#!/usr/bin/env bash
# Every test: native Rust, the core in headless Chromium (WebGPU and CPU) and Firefox, then the
# built notebook driven end to end in Chromium, and its main flow in Firefox.
source "$(dirname "$0")/common.sh"
bash scripts/setup.sh --test

step "native tests (release: burn is very slow unoptimised)"
# tests/wgpu.rs runs burn's wgpu backend on Vulkan (lavapipe without a GPU), installed above:
# a missing device is a failure here, not a skip. Vulkan's loader wants a runtime directory.
export GRADBOOK_REQUIRE_WGPU=1
if [[ -z "${XDG_RUNTIME_DIR:-}" ]]; then
  export XDG_RUNTIME_DIR="${TMPDIR:-/tmp}/gradbook-runtime-$(id -u)"
  mkdir -p -m 700 "$XDG_RUNTIME_DIR"
fi
if [[ -n "${MNIST_DIR:-}" ]]; then
  # The tests marked #[ignore] read the real MNIST files.
  cargo test --release -- --include-ignored
else
  echo "(MNIST_DIR is not set: the tests that need the MNIST files are skipped)"
  cargo test --release
fi

step "TypeScript unit tests: the address and the settings of both parts (node's test runner)"
node scripts/unit.mjs

step "browser tests: wasm-pack test in headless Chromium (webdriver.json enables WebGPU)"
# A software WebGPU adapter takes seconds per test; the default 20 s is not enough.
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-900}"
wasm-pack test --headless --chrome --chromedriver "$(command -v chromedriver)" --release

step "browser tests: wasm-pack test in headless Firefox, the CPU-only build (no WebGPU there on Linux, so the page loads that one)"
wasm-pack test --headless --firefox --geckodriver "$(command -v geckodriver)" --release --no-default-features

step "browser tests: wasm-pack test in WebKit (Safari's engine, as WebKitGTK's WebDriver server drives it on a virtual display), the same CPU-only build"
# wasm-pack knows Safari's driver; WebKitGTK's speaks the same protocol and starts MiniBrowser.
xvfb-run -a wasm-pack test --headless --safari --safaridriver "$(command -v WebKitWebDriver)" --release --no-default-features

step "end-to-end tests: the built notebook in Chromium"
# The release profile builds far faster than the site's LTO profile and runs the same code.
GRADBOOK_WASM_PROFILE=release bash scripts/build.sh
# Three projects (playwright.config.ts): Chromium, then the main flow in Firefox and in WebKit.
playwright test
