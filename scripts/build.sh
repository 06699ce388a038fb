#!/usr/bin/env bash
# Writes the deployable static site to dist/: every URL relative, so it works from any
# static file server under any sub-path.
source "$(dirname "$0")/common.sh"
bash scripts/setup.sh
bash scripts/build-wasm.sh "${GRADBOOK_WASM_PROFILE:-site}" --opt
step "bundling the page"
tsc --noEmit
vite build
# What the service worker keeps for offline use, and the build's version, stamped into sw.js.
node scripts/offline-manifest.mjs dist
echo "dist/ is ready: serve it with any static file server (e.g. npx vite preview)."
