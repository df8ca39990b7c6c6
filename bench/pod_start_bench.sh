#!/usr/bin/env bash
# Container start latency of kubelet/runtime against the bare kernel work (clone + overlay +
# /proc + pivot_root + exec of the same busybox rootfs). Root only.
#   bench/pod_start_bench.sh [BUILD_DIR] [ITERATIONS]
# Builds and runs tests/kubelet/runtime_bench_test.cc (it prints the table).
set -euo pipefail
build=${1:-$(dirname "$0")/../build-runtime}
export MINIK_BENCH_ITERATIONS=${2:-50}
nice ninja -C "$build" -j2 runtime_bench_test >/dev/null
"$build/tests/runtime_bench_test" --gtest_brief=1 | sed -n '/pod_start_bench:/,/CPU per/p'
