# Shared by the npm scripts: stop on the first error and say which step failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }
# Where cargo builds; CI points this at a cache outside the clone.
TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
