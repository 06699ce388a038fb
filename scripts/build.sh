#!/usr/bin/env bash
# Writes the deployable static site to dist/: every URL relative, so it works from any
# static file server under any sub-path.
source "$(dirname "$0")/common.sh"
bash scripts/setup.sh
bash scripts/build-wasm.sh "${GRADBOOK_WASM_PROFILE:-site}"
step "bundling the page"
tsc --noEmit
vite build
# What the service worker may cache for offline use: every built file but itself and the data.
(cd dist && find . -type f ! -name sw.js ! -name offline-files.json ! -path './mnist/*' | sed 's|^\./||' | sort) |
  node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.stringify(s.trim().split("\n"))))' \
  > dist/offline-files.json
echo "dist/ is ready: serve it with any static file server (e.g. npx vite preview)."
