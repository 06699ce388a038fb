#!/usr/bin/env bash
# Compiles the Rust core to WebAssembly and writes the JS bindings to pkg/.
#   scripts/build-wasm.sh [release|site]   (site: LTO + size-optimised, for deployment)
source "$(dirname "$0")/common.sh"
profile="${1:-release}"
step "compiling the core to wasm ($profile profile)"
cargo build --lib --target wasm32-unknown-unknown --profile "$profile"
wasm="$TARGET_DIR/wasm32-unknown-unknown/$profile/gradbook.wasm"
rm -rf pkg
wasm-bindgen --target web --out-dir pkg "$wasm"
if [[ "$profile" == site ]] && command -v wasm-opt >/dev/null; then
  step "shrinking with wasm-opt"
  # binaryen 108 needs the features named; newer ones accept it too.
  wasm-opt --all-features -Oz -o pkg/gradbook_bg.wasm pkg/gradbook_bg.wasm
fi
printf 'pkg/gradbook_bg.wasm: %s bytes, %s gzipped\n' "$(stat -c %s pkg/gradbook_bg.wasm)" "$(gzip -9c pkg/gradbook_bg.wasm | wc -c)"
