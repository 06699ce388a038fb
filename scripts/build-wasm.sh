#!/usr/bin/env bash
# Compiles the Rust core to WebAssembly twice and writes the JS bindings to pkg/: gradbook.js,
# the whole engine, for browsers with WebGPU; gradbook_cpu.js, the same crate without its GPU
# path (`--no-default-features`), for the rest (www/worker.ts picks one).
#   scripts/build-wasm.sh [release|site] [--opt]
#     site: LTO + size-optimised, for deployment; --opt: the deployable site's post-processing
source "$(dirname "$0")/common.sh"
profile="${1:-release}"
post=false
[[ "${2:-}" == "--opt" ]] && post=true
rm -rf pkg

# build NAME [CARGO FLAGS...]: one build, bound and post-processed as pkg/NAME.js + NAME_bg.wasm.
build() {
  local name="$1"; shift
  step "compiling the core to wasm: $name ($profile profile${*:+, $*})"
  # Both builds uplift to the same file: take this build's own from cargo's report.
  local wasm
  wasm=$(cargo build --lib --target wasm32-unknown-unknown --profile "$profile" "$@" --message-format=json-render-diagnostics \
    | node -e 'let last; require("readline").createInterface({ input: process.stdin }).on("line", (l) => {
        const m = JSON.parse(l); if (m.reason === "compiler-artifact" && m.target.name === "gradbook") last = m.filenames.find((f) => f.endsWith(".wasm"));
      }).on("close", () => console.log(last))')
  # The function names are a third of the module and only name frames in a stack trace.
  wasm-bindgen --target web --remove-name-section --remove-producers-section --out-dir pkg --out-name "$name" "$wasm"
  local out="pkg/${name}_bg.wasm"
  if $post; then
    # npm's binaryen (a devDependency): Debian's binaryen 108 rewrites wasm-bindgen's externref
    # table into a module Chromium rejects. -O1 against -Oz: 54 s, not 5 min, and smaller once
    # compressed (3.56 against 3.77 MB gzipped; docs/results.md). Cached by the input's hash,
    # since an unchanged build is common between test runs.
    local key cached
    key=$(sha256sum "$out" | cut -c1-32)
    cached="$TARGET_DIR/wasm-opt/$key.wasm"
    if [[ ! -f "$cached" ]]; then
      local opt="$PWD/node_modules/.bin/wasm-opt"
      step "wasm-opt -O1 $name ($("$opt" --version))"
      mkdir -p "$(dirname "$cached")"
      "$opt" -O1 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
        --enable-reference-types --enable-multivalue --enable-mutable-globals "$out" -o "$cached.tmp"
      mv "$cached.tmp" "$cached"
    fi
    cp "$cached" "$out"
  fi
  node scripts/wasm-size.mjs "$out"
}

build gradbook
build gradbook_cpu --no-default-features
