#!/usr/bin/env bash
# Configures and builds Rockhound. Usage: scripts/build.sh <build-dir> [cmake options...]
# Warnings are errors (RH_WERROR=ON) unless RH_WERROR=OFF is passed.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
jobs=$(nproc 2>/dev/null || echo 2)
export CCACHE_DIR=${CCACHE_DIR:-$PWD/.ccache}
cmake -S . -B "$dir" -G Ninja -DRH_WERROR=ON "$@" >/dev/null
cmake --build "$dir" -j"$jobs"
