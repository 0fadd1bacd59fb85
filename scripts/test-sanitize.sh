#!/usr/bin/env bash
# The whole native Catch2 suite and every example under AddressSanitizer +
# UndefinedBehaviorSanitizer (any report fails the run).
set -euo pipefail
cd "$(dirname "$0")/.."
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCOWLAB_SANITIZE=ON >/dev/null
cmake --build build-sanitize -j2 --target cowlab_tests cowlab
build-sanitize/tests/cowlab_tests
shopt -s nullglob
build-sanitize/shell/cowlab check examples/*.cow examples/*/*.cow >/dev/null
echo "sanitizers: the suite and every example ran clean"
