#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a passing test suite: installs the
# dependencies (idempotent apt-get, plus npm packages for the browser/MCP tests), builds with
# warnings as errors, starts a private MariaDB on a loopback port in a temporary directory,
# runs every test (SQLite and MariaDB backends in the same run), then the same tests under
# AddressSanitizer + UndefinedBehaviorSanitizer, then the fuzzers for a bounded time, and stops
# MariaDB whatever happens.
#   RH_SKIP_ASAN=1   skip the sanitizer build (local iteration)
#   RH_SKIP_FUZZ=1   skip the fuzzers
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=$(nproc 2>/dev/null || echo 2)
started=$SECONDS
phase_started=$SECONDS
# One line per phase with its duration, and the total at the end (CI keeps the log).
phase() {
  echo "test: $1 took $((SECONDS - phase_started)) s (total $((SECONDS - started)) s)"
  phase_started=$SECONDS
}

scripts/install-deps.sh --test
if [[ -f tests/e2e/package.json ]]; then
  (cd tests/e2e && { [[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error; })
fi
# promtool (Debian's prometheus package) checks docs/grafana-dashboard.json's queries
# (tests/server/grafana_dashboard_api_test.cc); the OpenAPI validator comes from npm into a
# cache outside the checkout, installed once.
if ! command -v promtool >/dev/null 2>&1; then
  sudo_cmd=""; [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
    prometheus >/dev/null
fi
npm_cache=${RH_NPM_CACHE:-$HOME/.cache/rockhound-npm}
if command -v npm >/dev/null 2>&1 &&
   [[ ! -f $npm_cache/node_modules/@apidevtools/swagger-parser/package.json ]]; then
  mkdir -p "$npm_cache"
  npm install --prefix "$npm_cache" --no-audit --no-fund --loglevel=error \
    @apidevtools/swagger-parser@10.1.1
fi
phase "dependencies"

# -g1 (line tables only): stack traces keep file:line, and the build takes about a third less time
# than with full debug info.
scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG"
phase "build"

eval "$(scripts/mariadb-test-server.sh start)"
trap 'scripts/mariadb-test-server.sh stop "$RH_MARIADB_DIR"' EXIT
echo "test: MariaDB on 127.0.0.1:$RH_MARIADB_PORT"

export CI=${CI:-false}
# The OpenAPI test writes the document a real server serves here, for the validator below.
export RH_OPENAPI_DUMP=$root/build/openapi.json
rm -f "$RH_OPENAPI_DUMP"
(cd build && ctest --output-on-failure -j"$jobs" --timeout 600)
phase "tests"

if [[ -f $npm_cache/node_modules/@apidevtools/swagger-parser/package.json ]]; then
  [[ -s $RH_OPENAPI_DUMP ]] || { echo "test: $RH_OPENAPI_DUMP was not written"; exit 1; }
  NODE_PATH=$npm_cache/node_modules node -e '
    require("@apidevtools/swagger-parser").validate(process.argv[1])
      .then((api) => console.log(`test: OpenAPI ${api.openapi} document valid ` +
                                 `(${Object.keys(api.paths).length} paths)`))
      .catch((e) => { console.error(`test: OpenAPI document invalid: ${e.message}`);
                      process.exit(1); });' "$RH_OPENAPI_DUMP"
else
  echo "test: npm is not available: the OpenAPI validator (@apidevtools/swagger-parser) is skipped"
fi
phase "OpenAPI validation"
# The eval harness's table (eval/README.md): every case on the playbook, on Claude against the
# scripted server and on the OpenAI-compatible client against its scripted server (about 20 s).
# ctest already checked them; this prints the figures.
if [[ -x build/bench/agent/bench_agent_eval ]]; then
  build/bench/agent/bench_agent_eval --format table --engine all
  phase "eval harness"
fi

if [[ "${RH_SKIP_ASAN:-0}" != "1" ]]; then
  # -O1: the sanitizers' usual setting; the tests run about twice as fast as at -O0.
  scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" \
    -DRH_SANITIZE=ON -DRH_BUILD_BENCH=OFF
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
     ctest --output-on-failure -j"$jobs" --timeout 900 -E 'Browser|E2e')
  phase "sanitizer build and tests"
fi

if [[ "${RH_SKIP_FUZZ:-0}" != "1" && -x scripts/fuzz.sh ]]; then
  scripts/fuzz.sh 120  # a fixed number of inputs per target, capped at 120 s each
  phase "fuzzers"
fi
echo "test: all passed in $((SECONDS - started)) s ($(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s)"
