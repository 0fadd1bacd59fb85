#!/usr/bin/env bash
# The whole native Catch2 suite built with AddressSanitizer and UndefinedBehaviorSanitizer
# (CMake option COWLAB_SANITIZE=ON) in build-sanitize/, with assertions on; any report
# aborts its test. The examples run through the sanitized `cowlab check` as well.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCOWLAB_SANITIZE=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" >/dev/null
cmake --build build-sanitize --target cowlab_tests cowlab
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Only cowlab_tests and cowlab are built here; determinism (it needs the JSON dumper) has its
# own part.
ctest --test-dir build-sanitize --output-on-failure -j2 -E "^determinism\."
if ls examples/*.cow >/dev/null 2>&1; then
  # check exits 1 when an expect fails; the examples all pass natively, so any failure here
  # is a sanitizer report or a difference.
  ./build-sanitize/shell/cowlab check examples/*.cow
fi
if ls fuzz/corpus/*.cow >/dev/null 2>&1; then
  for f in fuzz/corpus/*.cow; do ./build-sanitize/shell/cowlab run --json "$f" >/dev/null 2>&1 || [ $? -le 2 ]; done
fi
echo "test-sanitize: ok"
