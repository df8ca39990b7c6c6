#!/usr/bin/env bash
# API benchmark: starts a durable cluster in a private MINIK_HOME, runs the store baseline
# (raw RocksDB synced puts) and bench_api_bench against it in the same run, then deletes it.
# Usage: sudo bench/api.sh   (after scripts/build bench_api_bench bench_store_bench minik)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${BUILD_DIR:-$ROOT/build}
WORK=$(mktemp -d /tmp/minik-bench.XXXXXX)
export MINIK_HOME=$WORK/home KUBECONFIG=$WORK/kubeconfig
trap '"$B/minik" delete --profile bench >/dev/null 2>&1; rm -rf "$WORK"' EXIT

if [[ -x $B/bench_store_bench ]]; then
  echo "== store baseline (raw RocksDB synced puts) and RocksStore"
  "$B/bench_store_bench"
fi
echo "== API (durable store, HTTPS keep-alive)"
"$B/minik" start --profile bench >/dev/null
raw() { kubectl config view --raw --minify -o jsonpath="$1"; }
raw '{.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$WORK/ca.pem"
raw '{.users[0].user.client-certificate-data}' | base64 -d >"$WORK/cert.pem"
raw '{.users[0].user.client-key-data}' | base64 -d >"$WORK/key.pem"
port=$(raw '{.clusters[0].cluster.server}' | sed 's/.*://')
"$B/bench_api_bench" 127.0.0.1 "$port" "$WORK/ca.pem" "$WORK/cert.pem" "$WORK/key.pem"
pid=$(cat "$MINIK_HOME/profiles/bench/server.pid" 2>/dev/null || true)
[[ -n $pid ]] && echo "server RSS after the run: $(awk '/VmRSS/{print $2, $3}' /proc/$pid/status)"
