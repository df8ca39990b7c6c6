#!/usr/bin/env bash
# Issue 8's figures: whole-process wall time of `minik start` (fresh, after stop,
# --ephemeral), `minik stop` and `minik delete`, median of RUNS (default 5); then the time
# from `minik start` of a stopped cluster with PODS (default 50) pods to all of them Running.
# Baselines from the same run: a bare `unshare` + exec, and `minik version` (process start).
# Usage: sudo bench/lifecycle.sh   (BUILD_DIR=build-main to use another build)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${BUILD_DIR:-$ROOT/build}
M=$B/minik
RUNS=${RUNS:-5}
PODS=${PODS:-50}
WORK=$(mktemp -d /tmp/minik-bench.XXXXXX)
export MINIK_HOME=$WORK/home KUBECONFIG=$WORK/kubeconfig
trap '"$M" delete --all >/dev/null 2>&1; rm -rf "$WORK"' EXIT
now() { date +%s%N; }
ms() { echo $((($(now) - $1) / 1000000)); }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
timed() { local t; t=$(now); "$@" >/dev/null; ms "$t"; }

declare -A T
for i in $(seq "$RUNS"); do
  T[fresh]+="$(timed "$M" start --profile bench) "
  T[stop]+="$(timed "$M" stop --profile bench) "
  T[again]+="$(timed "$M" start --profile bench) "
  T[delete]+="$(timed "$M" delete --profile bench) "
  T[eph]+="$(timed "$M" start --profile bench --ephemeral) "
  T[ephdel]+="$(timed "$M" delete --profile bench) "
  T[unshare]+="$(timed unshare --mount --pid --fork --net --uts --ipc true) "
  T[version]+="$(timed "$M" version) "
done
row() { printf '%-34s median %5d ms   (runs: %s)\n' "$1" "$(tr ' ' '\n' <<<"${T[$2]}" | grep . | median)" "${T[$2]% }"; }
row "minik start (fresh)" fresh
row "minik stop" stop
row "minik start (after stop)" again
row "minik delete" delete
row "minik start --ephemeral" eph
row "minik delete (ephemeral)" ephdel
row "baseline: bare unshare + exec" unshare
row "baseline: minik version" version

# A stopped cluster with $PODS pods: start to all Running again.
"$M" start --profile bench >/dev/null
image=$("$ROOT/tests/e2e/test-image.sh" busybox "${E2E_CACHE:-/tmp/minik-e2e-cache}")
"$M" image load --profile bench "$image" >/dev/null
kubectl create deployment many --image=busybox:1.35 --replicas="$PODS" -- \
  sh -c "trap 'exit 0' TERM; while true; do sleep 1; done" >/dev/null
kubectl rollout status deploy/many --timeout=300s >/dev/null
running() { kubectl get pods -l app=many --field-selector=status.phase=Running -o name 2>/dev/null | grep -c . || true; }
ready() { [[ $(kubectl get deploy many -o jsonpath='{.status.readyReplicas}' 2>/dev/null) == "$PODS" ]]; }
"$M" stop --profile bench >/dev/null
t=$(now)
"$M" start --profile bench >/dev/null
start_ms=$(ms "$t")
# Running with a container started after this start: restartCount went up on every pod.
restarted() {
  kubectl get pods -l app=many -o jsonpath='{range .items[*]}{.status.containerStatuses[0].restartCount}{" "}{.status.containerStatuses[0].ready}{"\n"}{end}' 2>/dev/null |
    awk '$1 >= 1 && $2 == "true"' | grep -c . || true
}
until [[ $(restarted) == "$PODS" ]]; do
  (($(ms "$t") > 300000)) && { echo "timed out: $(restarted)/$PODS pods restarted"; exit 1; }
  sleep 0.05
done
printf '%-34s %5d ms (minik start itself: %d ms)\n' "$PODS pods Running again after start" "$(ms "$t")" "$start_ms"
