#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with Debian's clang in their own build directory, with
# AddressSanitizer + UndefinedBehaviorSanitizer and coverage on every library they link, then
# runs each with a fixed seed (RH_FUZZ_SEED, default 1) for a fixed number of inputs (a clean
# checkout therefore fuzzes the same inputs every time), capped at N seconds. A crash, a sanitizer report or a broken invariant fails the script and
# leaves the reproducer in <build-dir>/artifacts/ (replay: <build-dir>/fuzz/<target> <file>).
#   scripts/fuzz.sh [seconds-per-target]     (cap; default 60; scripts/test.sh passes 120)
#   RH_FUZZ_BUILD_DIR=build-fuzz             where to build and keep the growing corpora
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
dir=${RH_FUZZ_BUILD_DIR:-build-fuzz}
jobs=$(nproc 2>/dev/null || echo 2)
targets=(sql_guard_fuzzer tool_input_fuzzer json_entry_fuzzer)

. scripts/ccache-env.sh  # the same cache as scripts/build.sh, outside the checkout
CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DRH_BUILD_FUZZ=ON -DRH_BUILD_TESTS=OFF -DRH_BUILD_BENCH=OFF -DRH_SANITIZE=ON -DRH_WERROR=OFF \
  -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link" -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link" \
  >/dev/null
cmake --build "$dir" --target "${targets[@]}" -j"$jobs"

# Seeds: every line of the SQL test corpora, and one input per tool.
seeds="$dir/seeds"
rm -rf "$seeds"
mkdir -p "$seeds/sql_guard_fuzzer" "$seeds/tool_input_fuzzer" "$seeds/json_entry_fuzzer" \
  "$dir/artifacts"
n=0
while IFS= read -r line; do
  [[ -z "$line" || "$line" == "##"* ]] && continue
  n=$((n + 1))
  printf '%s' "$line" >"$seeds/sql_guard_fuzzer/line-$n"
done < <(cat tests/tools/data/sql_adversarial.txt tests/tools/data/sql_legitimate.txt)
tool_inputs=(
  '{"cluster_id": "c-fuzz0001"}'
  '{"cluster_id": "c-fuzz0001", "window_hours": 48, "alert_name": "Data Disk Capacity Alert"}'
  '{"cluster_id": "c-fuzz0001", "dimensions": ["disk", "cpu"], "window_hours": 24}'
  '{"cluster_id": "c-fuzz0001", "operation_type": "UPGRADE", "max_operations": 3}'
  '{"query": "disk full", "mode": "fulltext", "kinds": ["known_bug"], "version": "3.2.1"}'
  '{"cluster_id": "c-fuzz0001", "category": "disk_capacity", "days": 30, "limit": 2}'
  '{"cluster_id": "c-fuzz0001", "limit": 5}'
  '{"sql": "SELECT cluster_id, version FROM cluster_info", "max_rows": 5}'
)
for index in "${!tool_inputs[@]}"; do
  printf "\\x$(printf '%02x' "$index")%s" "${tool_inputs[$index]}" \
    >"$seeds/tool_input_fuzzer/tool-$index"
done

# JSON entry points: the first byte picks webhook body (\x00), MCP message (\x01) or ParseJson
# (\x02). Seeds: a real-shaped Alertmanager body, MCP requests, and nesting at and past the limit.
deep=$(printf '%*s' 3000 '' | tr ' ' '[')$(printf '%*s' 3000 '' | tr ' ' ']')
at_limit=$(printf '%*s' 64 '' | tr ' ' '[')1$(printf '%*s' 64 '' | tr ' ' ']')
json_inputs=(
  '\x00{"version":"4","status":"firing","externalURL":"http://am:9093","alerts":[{"status":"firing","labels":{"alertname":"DiskFull","cluster_id":"c-fuzz0001","severity":"critical"},"annotations":{"summary":"disk 91% full"},"startsAt":"2026-03-10T11:00:00Z"}]}'
  '\x00{"orgId":1,"status":"resolved","alerts":[{"status":"resolved","labels":{"alertname":"CPU","cluster":"c-fuzz0001"},"startsAt":"2026-03-10T10:00:00Z","endsAt":"2026-03-10T11:00:00Z"}]}'
  "\\x00{\"alerts\":[{\"labels\":{\"alertname\":\"X\",\"cluster_id\":\"c-fuzz0001\"},\"annotations\":{\"summary\":$deep}}]}"
  '\x01{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"fuzz","version":"1"}}}'
  '\x01{"jsonrpc":"2.0","id":2,"method":"tools/list"}'
  '\x01{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"query_cluster_info","arguments":{"cluster_id":"c-fuzz0001"}}}'
  '\x01{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"get_investigation","arguments":{"task_id":"tsk_x"}}}'
  "\\x01{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"run_sql\",\"arguments\":$deep}}"
  "\\x02$at_limit"
  "\\x02[$at_limit]"
  '\x02{"s":"[[[[\\"]]]]","n":-0.5e3,"u":"\u00e9","a":[true,false,null]}'
)
for index in "${!json_inputs[@]}"; do
  printf '%b' "${json_inputs[$index]}" >"$seeds/json_entry_fuzzer/json-$index"
done

status=0
for target in "${targets[@]}"; do
  corpus="$dir/corpus/$target"
  mkdir -p "$corpus"
  dict=()
  runs=200000
  if [[ "$target" == sql_guard_fuzzer ]]; then
    dict=(-dict=fuzz/sql.dict)
    runs=800000
  fi
  echo "fuzz: $target for ${seconds}s"
  if ! "$dir/fuzz/$target" -seed="${RH_FUZZ_SEED:-1}" -runs="$runs" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
       -max_len=8192 -print_final_stats=1 -artifact_prefix="$dir/artifacts/$target-" \
       "${dict[@]}" "$corpus" "$seeds/$target" 2>"$dir/$target.log"; then
    echo "fuzz: $target FAILED; see $dir/$target.log and $dir/artifacts/" >&2
    tail -40 "$dir/$target.log" >&2
    status=1
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$dir/$target.log" |
      sed "s/^/fuzz: $target /"
  fi
done
exit $status
