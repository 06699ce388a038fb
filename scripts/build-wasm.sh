#!/usr/bin/env bash
# Compiles the Rust core to WebAssembly and writes the JS bindings to pkg/.
#   scripts/build-wasm.sh [release|site] [--opt]
#     site: LTO + size-optimised, for deployment; --opt: the deployable site's post-processing
source "$(dirname "$0")/common.sh"
profile="${1:-release}"
post=false
[[ "${2:-}" == "--opt" ]] && post=true
step "compiling the core to wasm ($profile profile)"
cargo build --lib --target wasm32-unknown-unknown --profile "$profile"
wasm="$TARGET_DIR/wasm32-unknown-unknown/$profile/gradbook.wasm"
rm -rf pkg
# The function names are a third of the module and only name frames in a stack trace.
wasm-bindgen --target web --remove-name-section --remove-producers-section --out-dir pkg "$wasm"
if $post; then
  # npm's binaryen (a devDependency): Debian's binaryen 108 rewrites wasm-bindgen's externref
  # table into a module Chromium rejects. -O1 against -Oz: 54 s, not 5 min, and smaller once
  # compressed (3.56 against 3.77 MB gzipped; docs/results.md). Cached by the input's hash,
  # since an unchanged build is common between test runs.
  key=$(sha256sum pkg/gradbook_bg.wasm | cut -c1-32)
  cached="$TARGET_DIR/wasm-opt/$key.wasm"
  if [[ ! -f "$cached" ]]; then
    opt="$PWD/node_modules/.bin/wasm-opt"
    step "wasm-opt -O1 ($("$opt" --version))"
    mkdir -p "$(dirname "$cached")"
    "$opt" -O1 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-reference-types --enable-multivalue --enable-mutable-globals pkg/gradbook_bg.wasm -o "$cached.tmp"
    mv "$cached.tmp" "$cached"
  fi
  cp "$cached" pkg/gradbook_bg.wasm
fi
node scripts/wasm-size.mjs pkg/gradbook_bg.wasm
