#!/usr/bin/env bash
# Builds the core and serves the notebook locally; prints the URL to open.
source "$(dirname "$0")/common.sh"
bash scripts/setup.sh
bash scripts/build-wasm.sh release
step "serving the notebook (Ctrl-C stops)"
exec vite --open=false
