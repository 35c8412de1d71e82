#!/usr/bin/env bash
# Installs every build, test and runtime dependency from Debian 12 packages. Idempotent: does
# nothing when all packages are already installed. Needs root (or sudo).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libcurl4-openssl-dev nlohmann-json3-dev libmysqlcppconn-dev libfaiss-dev libopenblas-dev
  liblapack-dev libsqlite3-dev sqlite3 libspdlog-dev libfmt-dev libgtest-dev libgmock-dev
  libbenchmark-dev libexpected-dev libcli11-dev libcpp-httplib-dev libtomlplusplus-dev libssl-dev
)
if [[ "${1:-}" == "--test" ]]; then
  PACKAGES+=(mariadb-server mariadb-client clang libclang-rt-14-dev wrk chromium
            prometheus-alertmanager)
  # Node.js ships npm itself on machines that carry NodeSource's build; Debian's npm package
  # conflicts with it, so only ask Debian for Node.js and npm when neither is on PATH.
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    PACKAGES+=(nodejs npm)
  fi
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
