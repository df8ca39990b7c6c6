#!/usr/bin/env bash
# Streaming benchmark (issue 6), against a fresh cluster in a private MINIK_HOME:
# - exec round trip: `kubectl exec P -- true` (whole process) vs `kubectl get pod P` in the
#   same run, p50 and p90 of N runs each; target: exec within 1.5x of get.
# - port-forward throughput: a 100 MB download through `kubectl port-forward` vs the same
#   download straight from the pod IP; target: >= 0.5x of direct.
# Usage: sudo bench/streaming.sh   (after scripts/build; N=20 by default)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${BUILD_DIR:-$ROOT/build}
N=${N:-20}
WORK=$(mktemp -d /tmp/minik-bench.XXXXXX)
export MINIK_HOME=$WORK/home KUBECONFIG=$WORK/kubeconfig
pf=
trap '[[ -n $pf ]] && kill $pf 2>/dev/null; "$B/minik" delete --profile bench >/dev/null 2>&1; rm -rf "$WORK"' EXIT
image=$("$ROOT/tests/e2e/test-image.sh" busybox)
"$B/minik" start --profile bench --ephemeral >/dev/null
"$B/minik" image load --profile bench "$image" >/dev/null
kubectl apply -f - >/dev/null <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: main
    image: busybox:1.35
    imagePullPolicy: Never
    command: ["sh", "-c", "mkdir -p /tmp/www && dd if=/dev/zero of=/tmp/www/big bs=1M count=100 2>/dev/null && httpd -f -p 8080 -h /tmp/www"]
YAML
kubectl wait --for=condition=Ready pod/web --timeout=60s >/dev/null
sleep 1

# percentile FILE P: the P-th percentile of the numbers in FILE (nearest rank)
percentile() { sort -n "$1" | awk -v p="$2" '{v[NR]=$1} END {i=int((p*NR+99)/100); if(i<1)i=1; print v[i]}'; }
timeit() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
kubectl get pod web >/dev/null; kubectl exec web -- true  # warm the discovery cache
for _ in $(seq "$N"); do
  timeit kubectl get pod web >>"$WORK/get"
  timeit kubectl exec web -- true >>"$WORK/exec"
done
g50=$(percentile "$WORK/get" 50) e50=$(percentile "$WORK/exec" 50)
echo "kubectl get pod   p50 ${g50} ms  p90 $(percentile "$WORK/get" 90) ms  (n=$N)"
echo "kubectl exec true p50 ${e50} ms  p90 $(percentile "$WORK/exec" 90) ms  (n=$N)"
awk -v e="$e50" -v g="$g50" 'BEGIN {printf "exec/get p50 ratio %.2f (target <= 1.5)\n", e / g}'

ip=$(kubectl get pod web -o jsonpath='{.status.podIP}')
rate() { curl -s -o /dev/null -w '%{speed_download}' "$1"; }
direct=$(rate "http://$ip:8080/big")
kubectl port-forward pod/web 19200:8080 >/dev/null 2>&1 &
pf=$!
for _ in $(seq 50); do curl -s -o /dev/null --max-time 1 http://127.0.0.1:19200/ 2>/dev/null && break; sleep 0.1; done
forwarded=$(rate "http://127.0.0.1:19200/big")
awk -v d="$direct" -v f="$forwarded" 'BEGIN {
  printf "100 MB direct from the pod IP   %.0f MB/s\n", d / 1e6
  printf "100 MB through port-forward     %.0f MB/s\n", f / 1e6
  printf "port-forward/direct ratio %.2f (target >= 0.5)\n", f / d }'
