#!/usr/bin/env bash
# Configures and builds Rockhound. Usage: scripts/build.sh <build-dir> [cmake options...]
# Warnings are errors (RH_WERROR=ON) unless RH_WERROR=OFF is passed.
# The compiler cache lives outside the checkout ($HOME/.cache/rockhound-ccache unless CCACHE_DIR
# is set) and hashes paths relative to the checkout (CCACHE_BASEDIR), so a fresh clone anywhere
# reuses it.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
jobs=$(nproc 2>/dev/null || echo 2)
. scripts/ccache-env.sh
cmake -S . -B "$dir" -G Ninja -DRH_WERROR=ON "$@" >/dev/null
cmake --build "$dir" -j"$jobs"
