#!/usr/bin/env bash
# Hostile-client benchmark: starts a private ephemeral cluster (its own MINIK_HOME, profile and
# API port), gives user "bad" edit rights in namespace "bad", then runs bench_hostile_bench:
# the admin's requests/s and p99 alone, then beside bad's slowloris + LIST/create flood +
# oversized bodies, in the same run. Deletes the cluster afterwards.
# Usage: sudo bench/hostile.sh [SECONDS]   (after building minik and bench_hostile_bench)
#   BUILD_DIR (default build), API_PORT (default 18643), PROFILE (default hostile-bench),
#   WORK (default a new /tmp/minik-hostile.XXXXXX; removed afterwards)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${BUILD_DIR:-$ROOT/build}
PROFILE=${PROFILE:-hostile-bench}
PORT=${API_PORT:-18643}
WORK=${WORK:-$(mktemp -d /tmp/minik-hostile.XXXXXX)}
mkdir -p "$WORK"
export MINIK_HOME=$WORK/home KUBECONFIG=$WORK/kubeconfig
trap '"$B/minik" delete --profile "$PROFILE" >/dev/null 2>&1; rm -rf "$WORK"' EXIT

"$B/minik" start --profile "$PROFILE" --api-port "$PORT" --ephemeral >/dev/null
raw() { kubectl --kubeconfig "$1" config view --raw --minify -o jsonpath="$2"; }
raw "$KUBECONFIG" '{.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$WORK/ca.pem"
raw "$KUBECONFIG" '{.users[0].user.client-certificate-data}' | base64 -d >"$WORK/good.pem"
raw "$KUBECONFIG" '{.users[0].user.client-key-data}' | base64 -d >"$WORK/good.key"
"$B/minik" kubeconfig --profile "$PROFILE" --user bad >"$WORK/bad.kubeconfig"
raw "$WORK/bad.kubeconfig" '{.users[0].user.client-certificate-data}' | base64 -d >"$WORK/bad.pem"
raw "$WORK/bad.kubeconfig" '{.users[0].user.client-key-data}' | base64 -d >"$WORK/bad.key"
kubectl create namespace good >/dev/null
kubectl create namespace bad >/dev/null
kubectl -n bad create rolebinding bad-edit --clusterrole=edit --user=bad >/dev/null

"$B/bench_hostile_bench" 127.0.0.1 "$PORT" "$WORK/ca.pem" "$WORK/good.pem" "$WORK/good.key" \
  "$WORK/bad.pem" "$WORK/bad.key" "${1:-15}"
pid=$(cat "$MINIK_HOME/profiles/$PROFILE/server.pid" 2>/dev/null || true)
[[ -n $pid ]] && echo "server RSS after the run: $(awk '/VmRSS/{print $2, $3}' /proc/"$pid"/status)"
