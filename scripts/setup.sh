#!/usr/bin/env bash
# Installs what building and testing need, skipping what is already there.
#   scripts/setup.sh          what `npm start` needs: the wasm32 target, wasm-bindgen-cli, npm packages
#   scripts/setup.sh --test   also wasm-pack, Chromium, chromedriver, Firefox ESR, geckodriver,
#                             WebKitGTK's WebDriver server (webkit2gtk-driver) with xvfb, and
#                             Mesa's Vulkan driver, for `npm test`
# System packages are installed with apt when running as root on Debian/Ubuntu; otherwise
# this says what to install.
source "$(dirname "$0")/common.sh"
for_tests=false
[[ "${1:-}" == "--test" ]] && for_tests=true

command -v cargo >/dev/null || die "Rust is not installed: see https://rustup.rs, then run this again."
command -v npm >/dev/null || die "Node.js (18 or newer) is not installed: see https://nodejs.org, then run this again."
command -v xz >/dev/null || die "xz is not installed (Debian/Ubuntu: xz-utils, macOS: brew install xz): it compresses the engine the page fetches."

if command -v rustup >/dev/null; then
  rustup target list --installed | grep -qx wasm32-unknown-unknown || { step "adding the wasm32 target"; rustup target add wasm32-unknown-unknown; }
fi

# wasm-bindgen-cli must be exactly the version of the wasm-bindgen crate in Cargo.lock.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [[ "$have" != "$want" ]]; then
  step "installing wasm-bindgen-cli $want (a few minutes, once)"
  # --locked pins what the release was built with; a registry mirror may lack one of those
  # exact versions, so fall back to the newest compatible ones.
  cargo install --locked wasm-bindgen-cli --version "$want" || cargo install --force wasm-bindgen-cli --version "$want"
fi

if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  step "installing npm packages"
  npm ci --no-audit --no-fund
fi

$for_tests || exit 0

command -v wasm-pack >/dev/null || { step "installing wasm-pack (a few minutes, once)"; cargo install --locked wasm-pack; }
# Firefox's WebDriver server, for `wasm-pack test --firefox` (crates.io has it; its own
# downloads do not work without internet).
command -v geckodriver >/dev/null || { step "installing geckodriver (a few minutes, once)"; cargo install --locked geckodriver; }

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v firefox-esr >/dev/null || command -v firefox >/dev/null || missing+=(firefox-esr)
# WebKit, Safari's engine: WebKitGTK's WebDriver server (it brings MiniBrowser) and a virtual
# display for it (MiniBrowser has no headless mode).
command -v WebKitWebDriver >/dev/null || missing+=(webkit2gtk-driver)
command -v xvfb-run >/dev/null || missing+=(xvfb)
# A real Vulkan driver without a GPU (Mesa's lavapipe), for the native wgpu tests.
ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1 || missing+=(mesa-vulkan-drivers)
ldconfig -p 2>/dev/null | grep 'libvulkan\.so\.1' >/dev/null || missing+=(libvulkan1)
if ((${#missing[@]})); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    step "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    die "the tests need Chromium, chromedriver, Firefox, WebKitGTK's WebDriver, xvfb and a Vulkan driver (lavapipe); please install: ${missing[*]} (Debian package names)"
  fi
fi
