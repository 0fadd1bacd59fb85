#!/usr/bin/env bash
# The long fuzzing campaign recorded in docs/robustness.md. Each target runs as libFuzzer
# -jobs=2 -workers=2, each job for SECONDS, sharing one corpus per target under
# build-fuzz/campaign/ (kept between campaigns). Prints the executions of every job and
# the total, and fails when any crash, leak or timeout input was written.
#   scripts/fuzz-campaign.sh [SECONDS [TARGET...]]    default 3600 s, fuzz_parser fuzz_session
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=${1:-3600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_parser fuzz_session)
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null || exit 1
cmake --build build-fuzz --target "${targets[@]}" >/dev/null || exit 1
dir=$root/build-fuzz/campaign
mkdir -p "$dir/artifacts" "$dir/bin"
# Run copies, so that rebuilding build-fuzz/ during a campaign does not touch it.
for target in "${targets[@]}"; do cp build-fuzz/fuzz/$target "$dir/bin/"; done
echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- engine fuzz || echo ' (+ local changes)'), $(nproc) CPUs"
for target in "${targets[@]}"; do
  max_len=8192; [ "$target" = fuzz_session ] && max_len=2048
  mkdir -p "$dir/corpus-$target" "$dir/logs-$target"
  echo "=== $target: -jobs=2 -workers=2, $seconds s per job, -max_len=$max_len, started $(date -u +%FT%TZ)"
  # -jobs writes fuzz-N.log into the current directory. -timeout=60: every input the
  # harness accepts runs in well under a second (the slowest is printed below), but on a
  # shared 2-core machine a job can be descheduled for over 10 s, which libFuzzer's wall
  # clock alarm would report as a hang (seen at nice 19 next to a browser test run).
  (cd "$dir/logs-$target" && rm -f fuzz-*.log &&
   "$dir/bin/$target" -jobs=2 -workers=2 -dict="$root/fuzz/cowscript.dict" \
     -max_total_time="$seconds" -timeout=60 -max_len=$max_len -print_final_stats=1 \
     -artifact_prefix="$dir/artifacts/$target-" \
     "$dir/corpus-$target" "$root/fuzz/corpus" "$root/examples" >/dev/null 2>&1)
done
total=0
for target in "${targets[@]}"; do
  for log in "$dir/logs-$target"/fuzz-*.log; do
    runs=$(grep -oE "stat::number_of_executed_units: +[0-9]+" "$log" | tail -1 | grep -oE "[0-9]+$")
    bad=$(grep -cE "ERROR: libFuzzer|ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error|^fuzz_(session|parser): " "$log")
    slowest=$(grep -oE "stat::slowest_unit_time_sec: +[0-9]+" "$log" | tail -1 | grep -oE "[0-9]+$")
    echo "  $target $(basename "$log"): ${runs:-?} executions, slowest input ${slowest:-?} s, $bad errors"
    total=$((total + ${runs:-0}))
  done
done
crashes=$(find "$dir/artifacts" -type f | wc -l)
echo "=== total: $total executions, $crashes crash/leak/timeout inputs in $dir/artifacts, finished $(date -u +%FT%TZ)"
[ "$crashes" -eq 0 ]
