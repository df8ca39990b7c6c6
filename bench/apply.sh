#!/usr/bin/env bash
# kubectl apply benchmark: whole-process times of `kubectl apply -f` on a 50-object manifest
# (create, then unchanged, then changed) against `kubectl create -f` of the same file in the
# same run, then bench_patch_bench (SMP and server-side apply on a 200-container template,
# with a merge-patch baseline). Starts a durable cluster in a private MINIK_HOME, deletes it.
# Usage: sudo bench/apply.sh   (after building minik and bench_patch_bench; BUILD_DIR=...)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${BUILD_DIR:-$ROOT/build}
RUNS=${RUNS:-3}
WORK=$(mktemp -d /tmp/minik-bench.XXXXXX)
export MINIK_HOME=$WORK/home KUBECONFIG=$WORK/kubeconfig
trap '"$B/minik" delete --profile bench >/dev/null 2>&1; rm -rf "$WORK"' EXIT

# manifest NS VALUE: 50 objects (20 ConfigMaps, 10 Secrets, 10 Services, 10 Deployments with
# replicas 0, so the API path is measured and no containers start).
manifest() {
  local ns=$1 v=$2 i
  for i in $(seq 1 20); do
    printf -- '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-%s, namespace: %s}\ndata: {value: "%s", index: "%s"}\n' "$i" "$ns" "$v" "$i"
  done
  for i in $(seq 1 10); do
    printf -- '---\napiVersion: v1\nkind: Secret\nmetadata: {name: s-%s, namespace: %s}\nstringData: {password: "%s"}\n' "$i" "$ns" "$v"
    printf -- '---\napiVersion: v1\nkind: Service\nmetadata: {name: svc-%s, namespace: %s}\nspec:\n  selector: {app: d-%s}\n  ports: [{name: http, port: 80, targetPort: 8080}]\n' "$i" "$ns" "$i"
    printf -- '---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d-%s, namespace: %s}\nspec:\n  replicas: 0\n  selector: {matchLabels: {app: d-%s}}\n  template:\n    metadata: {labels: {app: d-%s}}\n    spec:\n      containers:\n      - name: app\n        image: busybox:1.35\n        env: [{name: VALUE, value: "%s"}]\n        ports: [{containerPort: 8080}]\n' "$i" "$ns" "$i" "$i" "$v"
  done
}

secs() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>"$WORK/err" || { printf 'FAILED(%s)' "$(head -c 120 "$WORK/err")"; return 0; }
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
}

"$B/minik" start --profile bench >/dev/null
echo "== kubectl, 50-object manifest, whole-process seconds (run: create, apply, apply unchanged, apply changed)"
for r in $(seq 1 "$RUNS"); do
  kubectl create namespace "c$r" >/dev/null
  kubectl create namespace "a$r" >/dev/null
  manifest "c$r" one >"$WORK/c.yaml"
  manifest "a$r" one >"$WORK/a.yaml"
  manifest "a$r" two >"$WORK/a2.yaml"
  printf 'run %s: create -f %ss  apply -f (create) %ss  apply -f (unchanged) %ss  apply -f (changed) %ss\n' "$r" \
    "$(secs kubectl create -f "$WORK/c.yaml")" "$(secs kubectl apply -f "$WORK/a.yaml")" \
    "$(secs kubectl apply -f "$WORK/a.yaml")" "$(secs kubectl apply -f "$WORK/a2.yaml")"
done
echo "== apply --server-side of the same manifest (create, unchanged, changed)"
kubectl create namespace ssa >/dev/null
manifest ssa one >"$WORK/s.yaml"
manifest ssa two >"$WORK/s2.yaml"
printf 'server-side: create %ss  unchanged %ss  changed %ss\n' "$(secs kubectl apply --server-side -f "$WORK/s.yaml")" \
  "$(secs kubectl apply --server-side -f "$WORK/s.yaml")" "$(secs kubectl apply --server-side -f "$WORK/s2.yaml")"

if [[ -x $B/bench_patch_bench ]]; then
  echo "== patches on a 200-container pod template"
  raw() { kubectl config view --raw --minify -o jsonpath="$1"; }
  raw '{.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$WORK/ca.pem"
  raw '{.users[0].user.client-certificate-data}' | base64 -d >"$WORK/cert.pem"
  raw '{.users[0].user.client-key-data}' | base64 -d >"$WORK/key.pem"
  port=$(raw '{.clusters[0].cluster.server}' | sed 's/.*://')
  "$B/bench_patch_bench" 127.0.0.1 "$port" "$WORK/ca.pem" "$WORK/cert.pem" "$WORK/key.pem" "${ITERATIONS:-200}"
fi
pid=$(cat "$MINIK_HOME/profiles/bench/server.pid" 2>/dev/null || true)
[[ -n $pid ]] && echo "server RSS after the run: $(awk '/VmRSS/{print $2, $3}' /proc/$pid/status)"
exit 0
