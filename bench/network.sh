#!/usr/bin/env bash
# Network benchmarks (issue 7), against a fresh cluster in a private MINIK_HOME:
# - rule sync: bench_netproxy_bench (1,000 services, endpoint change -> iptables programmed,
#   against a one-rule iptables-restore in the same run); target <= 100 ms.
# - DNS: bench_dns_bench from inside a pod's network namespace (nsenter), to 10.96.0.10 (the
#   kube-dns ClusterIP, DNAT) and straight to the node address; target >= 20,000 qps.
# - Ingress: bench_ingress_bench through the Ingress (127.0.0.1:80, Host header) vs straight
#   to the pod IP, small and 1 MB responses, keep-alive; target >= 0.7x direct.
# Usage: sudo bench/network.sh   (after scripts/build)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${BUILD_DIR:-$ROOT/build}
WORK=$(mktemp -d /tmp/minik-bench.XXXXXX)
export MINIK_HOME=$WORK/home KUBECONFIG=$WORK/kubeconfig
trap '"$B/minik" delete --profile bench >/dev/null 2>&1; rm -rf "$WORK"' EXIT

echo "== rule sync (1,000 services, 2 endpoints each)"
"$B/bench_netproxy_bench" 1000 2 50

image=$("$ROOT/tests/e2e/test-image.sh" busybox)
"$B/minik" start --profile bench --ephemeral >/dev/null
"$B/minik" image load --profile bench "$image" >/dev/null
kubectl apply -f - >/dev/null <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  containers:
  - {name: main, image: "busybox:1.35", imagePullPolicy: Never, command: ["sleep", "987654"]}
---
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  containers:
  - name: main
    image: busybox:1.35
    imagePullPolicy: Never
    command: ["sh", "-c", "mkdir -p /www && echo hello > /www/small && dd if=/dev/zero of=/www/big bs=1M count=1 2>/dev/null && httpd -f -p 8080 -h /www"]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
  - host: web.bench
    http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]
YAML
kubectl wait --for=condition=Ready pod/client pod/web --timeout=60s >/dev/null
pid=$(pgrep -f 'sleep 987654' | head -n 1)
node_ip=$(kubectl get node bench -o jsonpath='{.status.addresses[?(@.type=="InternalIP")].address}')

echo "== DNS from a pod (A web.default.svc.cluster.local, 64 in flight)"
echo "-- via the kube-dns ClusterIP 10.96.0.10"
nsenter -t "$pid" -n "$B/bench_dns_bench" 10.96.0.10 53 web.default.svc.cluster.local --queries 200000 --concurrency 64
echo "-- straight to the node address $node_ip"
nsenter -t "$pid" -n "$B/bench_dns_bench" "$node_ip" 53 web.default.svc.cluster.local --queries 200000 --concurrency 64

if [[ -x $B/bench_ingress_bench ]]; then
  ip=$(kubectl get pod web -o jsonpath='{.status.podIP}')
  for _ in $(seq 50); do [[ $(curl -s -H 'Host: web.bench' http://127.0.0.1/small) == hello ]] && break; sleep 0.2; done
  for f in small big; do
    echo "== Ingress vs direct: /$f, keep-alive"
    echo "-- direct http://$ip:8080/$f"
    "$B/bench_ingress_bench" "$ip" 8080 "/$f" "web.bench"
    echo "-- through the Ingress http://127.0.0.1:80/$f (Host: web.bench)"
    "$B/bench_ingress_bench" 127.0.0.1 80 "/$f" "web.bench"
  done
fi
