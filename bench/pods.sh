#!/usr/bin/env bash
# Pod start benchmark: starts a cluster in a private MINIK_HOME, loads the busybox test image,
# measures the bare-kernel baseline (clone + overlay + /proc + pivot_root + exec of the same
# rootfs, via the runtime's bench test) and then bench_pod_bench against the cluster.
# Usage: sudo bench/pods.sh   (after scripts/build bench_pod_bench minik)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${BUILD_DIR:-$ROOT/build}
WORK=$(mktemp -d /tmp/minik-bench.XXXXXX)
export MINIK_HOME=$WORK/home KUBECONFIG=$WORK/kubeconfig
trap '"$B/minik" delete --profile bench >/dev/null 2>&1; rm -rf "$WORK"' EXIT
image=$(bash "$ROOT/../shared/acceptance/images.sh" busybox)

if [[ -x $B/tests/runtime_bench_test ]]; then
  echo "== runtime: StartContainer vs a bare clone of the same rootfs"
  MINIK_BENCH_ITERATIONS=${ITERATIONS:-30} "$B/tests/runtime_bench_test" --gtest_brief=1 |
    sed -n '/pod_start_bench:/,/CPU per/p'
fi
echo "== pods through the API (durable store)"
"$B/minik" start --profile bench >/dev/null
"$B/minik" image load --profile bench "$image" >/dev/null
raw() { kubectl config view --raw --minify -o jsonpath="$1"; }
raw '{.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$WORK/ca.pem"
raw '{.users[0].user.client-certificate-data}' | base64 -d >"$WORK/cert.pem"
raw '{.users[0].user.client-key-data}' | base64 -d >"$WORK/key.pem"
port=$(raw '{.clusters[0].cluster.server}' | sed 's/.*://')
pid=$(cat "$MINIK_HOME/profiles/bench/server.pid")
"$B/bench_pod_bench" 127.0.0.1 "$port" "$WORK/ca.pem" "$WORK/cert.pem" "$WORK/key.pem" "$pid"
