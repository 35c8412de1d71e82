#!/usr/bin/env bash
# Starts or stops a private MariaDB for the tests: a temporary data directory, 127.0.0.1 only,
# a free port. `start` prints the environment the tests read:
#   ROCKHOUND_TEST_MYSQL_URL=mysql://rh@127.0.0.1:PORT/rh_test
#   ROCKHOUND_TEST_MYSQL_PASSWORD=...
#   ROCKHOUND_TEST_MYSQL_ADMIN_URL=mysql://root@127.0.0.1:PORT/rh_test   (no password; for tests
#     that change server settings, e.g. SET GLOBAL sql_mode, and restore them)
#   RH_MARIADB_DIR=/tmp/...   (pass to `stop`)
# Usage: eval "$(scripts/mariadb-test-server.sh start)"; ...; scripts/mariadb-test-server.sh stop "$RH_MARIADB_DIR"
set -euo pipefail

start() {
  local dir port pw
  dir=$(mktemp -d /tmp/rockhound-mariadb.XXXXXX)
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 30000))
    if ! (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then break; fi
  done
  pw="rh-test-$RANDOM$RANDOM"
  mariadb-install-db --no-defaults --datadir="$dir/data" --user=root \
    --auth-root-authentication-method=normal >"$dir/install.log" 2>&1
  mariadbd --no-defaults --datadir="$dir/data" --socket="$dir/sock" --port="$port" \
    --bind-address=127.0.0.1 --user=root --skip-log-bin --innodb-buffer-pool-size=128M \
    --max-connections=500 --pid-file="$dir/mariadb.pid" >"$dir/server.log" 2>&1 &
  for _ in $(seq 1 100); do
    if mariadb-admin --no-defaults -h127.0.0.1 -P"$port" -uroot ping >/dev/null 2>&1; then break; fi
    sleep 0.2
  done
  mariadb-admin --no-defaults -h127.0.0.1 -P"$port" -uroot ping >/dev/null 2>&1 || {
    echo "mariadb-test-server: MariaDB did not start; see $dir/server.log" >&2
    tail -20 "$dir/server.log" >&2
    exit 1
  }
  mariadb --no-defaults -h127.0.0.1 -P"$port" -uroot -e "
    CREATE DATABASE rh_test CHARACTER SET utf8mb4;
    CREATE USER 'rh'@'127.0.0.1' IDENTIFIED BY '$pw';
    GRANT ALL ON rh_test.* TO 'rh'@'127.0.0.1';
    GRANT ALL ON \`rh\\_t\\_%\`.* TO 'rh'@'127.0.0.1';
    GRANT CREATE ON *.* TO 'rh'@'127.0.0.1';"
  echo "export ROCKHOUND_TEST_MYSQL_URL=mysql://rh@127.0.0.1:$port/rh_test"
  echo "export ROCKHOUND_TEST_MYSQL_PASSWORD=$pw"
  echo "export ROCKHOUND_TEST_MYSQL_ADMIN_URL=mysql://root@127.0.0.1:$port/rh_test"
  echo "export RH_MARIADB_DIR=$dir"
  echo "export RH_MARIADB_PORT=$port"
}

stop() {
  local dir=${1:?usage: stop <dir>}
  if [[ -f "$dir/mariadb.pid" ]]; then
    kill "$(cat "$dir/mariadb.pid")" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$(cat "$dir/mariadb.pid" 2>/dev/null)" 2>/dev/null || break
      sleep 0.2
    done
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 start | stop <dir>" >&2; exit 2 ;;
esac
