#!/usr/bin/env bash
# Controllers and scheduler at scale, on simulated nodes (no containers): starts clusters in
# a private MINIK_HOME and runs bench_sim_bench against them.
#   1. scheduler throughput: 5,000 bare pods on 100 simulated nodes;
#   2. a 1,000-replica Deployment on 10 simulated nodes: create -> all Running, rolling update;
#   3. 10,000 pods (10 Deployments x 1,000) on 100 simulated nodes: all Running, server RSS,
#      `kubectl get pods -A` latency.
# Usage: sudo bench/workloads.sh   (after scripts/build minik bench_sim_bench)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${BUILD_DIR:-$ROOT/build}
WORK=$(mktemp -d /tmp/minik-bench.XXXXXX)
export MINIK_HOME=$WORK/home KUBECONFIG=$WORK/kubeconfig
trap '"$B/minik" delete --profile bench >/dev/null 2>&1; rm -rf "$WORK"' EXIT

start() {  # start NODES: a fresh cluster with NODES simulated nodes
  "$B/minik" delete --profile bench >/dev/null 2>&1 || true
  "$B/minik" start --profile bench --simulated-nodes "$1" >/dev/null
  raw() { kubectl config view --raw --minify -o jsonpath="$1"; }
  raw '{.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$WORK/ca.pem"
  raw '{.users[0].user.client-certificate-data}' | base64 -d >"$WORK/cert.pem"
  raw '{.users[0].user.client-key-data}' | base64 -d >"$WORK/key.pem"
  port=$(raw '{.clusters[0].cluster.server}' | sed 's/.*://')
  pid=$(cat "$MINIK_HOME/profiles/bench/server.pid")
}
sim() { "$B/bench_sim_bench" 127.0.0.1 "$port" "$WORK/ca.pem" "$WORK/cert.pem" "$WORK/key.pem" "$@"; }
rss_mb() { echo $(($(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status") / 1024)); }

if [[ -z ${ONLY_SCALE:-} ]]; then
  echo "== scheduler: 5,000 pods on 100 simulated nodes"
  start 100
  sim sched "${SCHED_PODS:-5000}"

  echo "== a 1,000-replica Deployment on 10 simulated nodes"
  start 10
  sim deploy 1 "${REPLICAS:-1000}"
fi

echo "== 10,000 pods on 100 simulated nodes (10 Deployments x 1,000)"
start 100
echo "server RSS before: $(rss_mb) MB"
SKIP_UPDATE=1 KEEP=1 sim deploy 10 1000
echo "server RSS with 10,000 pods Running: $(rss_mb) MB"
for i in 1 2 3; do
  s=$(date +%s%N); rows=$(kubectl get pods -A --no-headers | wc -l); e=$(date +%s%N)
  echo "kubectl get pods -A ($rows rows): $(((e - s) / 1000000)) ms"
done
