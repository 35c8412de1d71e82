#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a running demo: installs the dependencies
# (idempotent apt-get), builds Rockhound (Release), and runs `rockhound demo` on the embedded
# default (a simulated fleet under .rockhound/). Extra arguments go to `rockhound demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build-release -DCMAKE_BUILD_TYPE=Release -DRH_BUILD_TESTS=OFF -DRH_BUILD_BENCH=OFF
exec build-release/app/rockhound demo "$@"
