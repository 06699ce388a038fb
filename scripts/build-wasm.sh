#!/usr/bin/env bash
# Compiles the Rust core to WebAssembly twice and writes the JS bindings to pkg/: gradbook.js,
# the whole engine, for browsers with WebGPU; gradbook_cpu.js, the same crate without its GPU
# path (`--no-default-features`), for the rest (www/worker.ts picks one). Each module also as
# NAME_bg.wasm.xz, which is what the page fetches: xz takes the GPU engine to 2.2 MB where the
# gzip a static host applies leaves 3.6 (docs/results.md), and the page decodes it as it
# streams into the compiler.
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
  # No default module path: the page names the module it fetches (www/worker.ts), so the
  # bundler is not led to ship the uncompressed one too.
  wasm-bindgen --target web --omit-default-module-path --remove-name-section --remove-producers-section --out-dir pkg --out-name "$name" "$wasm"
  local out="pkg/${name}_bg.wasm"
  if $post; then
    # npm's binaryen (a devDependency): Debian's binaryen 108 rewrites wasm-bindgen's externref
    # table into a module Chromium rejects. -O1 against -Oz: 54 s, not 5 min, and smaller once
    # compressed (3.56 against 3.77 MB gzipped; docs/results.md).
    local opt="$PWD/node_modules/.bin/wasm-opt"
    cached wasm-opt "$out" "$out" "wasm-opt -O1 $name ($("$opt" --version))" \
      "$opt" -O1 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-reference-types --enable-multivalue --enable-mutable-globals "$out" -o {}
  fi
  # A 4 MiB window: as small as 64 MiB within 1 % (2.21 against 2.19 MB), and it is the memory
  # the page's decoder holds.
  cached xz "$out" "$out.xz" "xz $name" sh -c 'xz -c --lzma2=preset=9e,dict=4MiB "$1" > "$2"' xz "$out" {}
  # Which build is measured: the release one (no LTO; `npm start` and the e2e tests) is ~40 %
  # larger as xz than the site one that `npm run build` writes (docs/results.md, "Payload").
  echo "size of the $profile-profile build$($post && echo ', wasm-opt -O1'):"
  node scripts/wasm-size.mjs "$out" "$out.xz"
}

# cached DIR IN OUT WHAT CMD...: writes OUT as CMD makes it from IN (CMD writes to the file
# named {} in its arguments), through a cache in $TARGET_DIR/DIR/ keyed by IN's hash, since an
# unchanged build is common between test runs.
cached() {
  local dir="$1" in="$2" out="$3" what="$4"; shift 4
  local hit
  hit="$TARGET_DIR/$dir/$(sha256sum "$in" | cut -c1-32)"
  if [[ ! -f "$hit" ]]; then
    step "$what"
    mkdir -p "$(dirname "$hit")"
    "${@//\{\}/$hit.tmp}"
    mv "$hit.tmp" "$hit"
  fi
  cp "$hit" "$out"
}

build gradbook
build gradbook_cpu --no-default-features
