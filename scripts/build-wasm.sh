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
# No wasm-opt pass: Debian's binaryen 108 rewrites wasm-bindgen 0.2.130's externref table into a
# module browsers reject ("invalid value type", "Table.set"), and LTO + opt-level z already does
# most of the shrinking. Revisit with binaryen ≥ 116.
printf 'pkg/gradbook_bg.wasm: %s bytes, %s gzipped\n' "$(stat -c %s pkg/gradbook_bg.wasm)" "$(gzip -9c pkg/gradbook_bg.wasm | wc -c)"
