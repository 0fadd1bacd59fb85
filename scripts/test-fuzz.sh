#!/usr/bin/env bash
# A short libFuzzer campaign of each target (fuzz/): the cowscript parser, then whole
# scripts run with check_invariants() after every statement. Builds with clang in
# build-fuzz/ (ASan + UBSan + assertions). Any crash, sanitizer report, broken
# invariant, leak or timeout fails the part and leaves the input under build-fuzz/artifacts/.
#   scripts/test-fuzz.sh            30 s per target
#   FUZZ_SECONDS=5 scripts/test-fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-30}
if ! command -v clang++ >/dev/null; then
  echo "test-fuzz: clang++ not found (scripts/setup.sh installs clang and libclang-rt-14-dev)" >&2
  exit 1
fi
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-fuzz --target fuzz_parser fuzz_session
[ -x build-fuzz/fuzz/fuzz_session ] || { echo "test-fuzz: the fuzz targets were not configured (is -fsanitize=fuzzer available?)" >&2; exit 1; }

artifacts=build-fuzz/artifacts
mkdir -p "$artifacts"
status=0
for target in fuzz_parser fuzz_session; do
  corpus=build-fuzz/corpus-$target      # grows across runs; seeds are read, never written
  mkdir -p "$corpus"
  log=build-fuzz/$target.log
  max_len=8192; [ $target = fuzz_session ] && max_len=2048   # short scripts run faster
  echo "--- $target: ${seconds} s"
  if ./build-fuzz/fuzz/$target -dict=fuzz/cowscript.dict -max_total_time="$seconds" -timeout=10 \
       -max_len=$max_len -print_final_stats=1 -artifact_prefix="$artifacts/$target-" \
       "$corpus" fuzz/corpus examples >"$log" 2>&1; then
    grep -E "^Done|stat::number_of_executed_units|INITED|DONE" "$log" | tail -3
  else
    echo "test-fuzz: $target FAILED; the input is in $artifacts/ (log: $log)" >&2
    grep -E "ERROR|SUMMARY|fuzz_session:|fuzz_parser:|Test unit written" "$log" | head -20 >&2
    status=1
  fi
done
exit $status
