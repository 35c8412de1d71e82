#!/usr/bin/env bash
# Runs every benchmark under bench/ one after the other (each is bounded and prints its own
# figures) and keeps what they print in <out-dir>/<name>.txt (default /tmp/rockhound-bench).
# The README quotes these figures with the machine they came from; run on a quiet machine.
#   scripts/bench.sh [out-dir] [name...]     names: simulator sentinel tools knowledge agent
#                                            scenarios server alerts (default: all)
# Builds first (scripts/build.sh build, RelWithDebInfo). ../shared/data must be beside the
# checkout for the knowledge quality benchmark (it says so and skips otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/rockhound-bench}
shift || true
names=("$@")
if ((${#names[@]} == 0)); then
  names=(simulator sentinel tools knowledge agent scenarios server alerts)
fi
mkdir -p "$out"
scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo
b=build/bench

run() {
  local name=$1
  shift
  echo "== $name: $*" | tee "$out/$name.txt"
  local start=$SECONDS
  "$@" 2>&1 | tee -a "$out/$name.txt"
  echo "== $name took $((SECONDS - start)) s" | tee -a "$out/$name.txt"
}

{
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "system: $(. /etc/os-release && echo "$PRETTY_NAME"), $(uname -r)"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
} | tee "$out/machine.txt"

for name in "${names[@]}"; do
  case "$name" in
    simulator) run simulator "$b/simulator/bench_simulator" --clusters 1000 --days 14 ;;
    sentinel) run sentinel "$b/sentinel/bench_sentinel" --sizes 1000,2500,5000,10000 ;;
    tools) run tools "$b/tools/bench_tools" --clusters 1000 ;;
    knowledge)
      run knowledge-scifact "$b/knowledge/rh_kb_scifact_bench" --split test
      run knowledge-perf "$b/knowledge/rh_kb_perf_bench" --sizes 10000,100000
      ;;
    agent)
      run agent "$b/agent/bench_agent_overhead"
      run agent-eval "$b/agent/bench_agent_eval" --format table
      ;;
    scenarios) run scenarios "$b/scenarios/bench_scenarios" ;;
    server) run server "$b/server/bench_server" ;;
    alerts) run alerts "$b/alerts/bench_lark_ingest" --cards 10000 ;;
    *) echo "bench: unknown benchmark '$name'" >&2; exit 2 ;;
  esac
done
echo "bench: figures in $out/"
