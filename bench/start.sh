#!/usr/bin/env bash
# `minik start` to node Ready on a fresh state dir, `minik stop`, a restart on existing
# state, and the idle RSS of the server; repeated RUNS times (default 5).
# Usage: sudo bench/start.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${BUILD_DIR:-$ROOT/build}
RUNS=${RUNS:-5}
WORK=$(mktemp -d /tmp/minik-bench.XXXXXX)
export MINIK_HOME=$WORK/home KUBECONFIG=$WORK/kubeconfig
trap '"$B/minik" delete --profile bench >/dev/null 2>&1; rm -rf "$WORK"' EXIT
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
for i in $(seq "$RUNS"); do
  "$B/minik" delete --profile bench >/dev/null 2>&1 || true
  t=$(date +%s%N); "$B/minik" start --profile bench >/dev/null; fresh=$(ms "$t")
  sleep 2
  pid=$(cat "$MINIK_HOME/profiles/bench/server.pid")
  rss=$(awk '/VmRSS/{print $2}' /proc/"$pid"/status)
  t=$(date +%s%N); "$B/minik" stop --profile bench >/dev/null; stop=$(ms "$t")
  t=$(date +%s%N); "$B/minik" start --profile bench >/dev/null; again=$(ms "$t")
  "$B/minik" stop --profile bench >/dev/null
  printf 'run %d: start (fresh) %4d ms   stop %4d ms   start (existing state) %4d ms   idle RSS %d KB\n' \
    "$i" "$fresh" "$stop" "$again" "$rss"
done
t=$(date +%s%N); unshare --mount --pid --fork --net --uts --ipc true; echo "baseline: bare unshare+exec $(ms "$t") ms"
