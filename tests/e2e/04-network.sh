#!/usr/bin/env bash
# Services, DNS and Ingress beyond the acceptance script: named target ports, ClientIP
# affinity, immediate refusal without endpoints, externalTrafficPolicy Local, UDP through a
# ClusterIP (cluster DNS), SRV/PTR/NXDOMAIN answers, forwarding to a fake upstream resolver on
# loopback (never a real one), Ingress Exact/wildcard/defaultBackend/503/X-Forwarded-*, and no
# iptables chain or link left after `minik delete`.
source "$(dirname "$0")/lib.sh"

image=$("$ROOT/tests/e2e/test-image.sh" busybox "${E2E_CACHE:-/tmp/minik-e2e-cache}") ||
  { bad "build the busybox test image" "test-image.sh failed"; exit 1; }

# A fake upstream resolver on loopback: every A question gets 192.0.2.7.
UPSTREAM_PORT=$((20000 + RANDOM % 5000))
python3 - "$UPSTREAM_PORT" >"$WORK/upstream.log" 2>&1 <<'PY' &
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
while True:
    q, addr = s.recvfrom(4096)
    if len(q) < 12:
        continue
    qid, _, qd = struct.unpack(">HHH", q[:6])
    end = 12
    while q[end] != 0:
        end += q[end] + 1
    qtype = struct.unpack(">H", q[end + 1:end + 3])[0]
    question = q[12:end + 5]
    answer = b""
    if qtype == 1:
        answer = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + bytes([192, 0, 2, 7])
    hdr = struct.pack(">HHHHHH", qid, 0x8180, 1, 1 if answer else 0, 0, 0)
    s.sendto(hdr + question + answer, addr)
PY
upstream_pid=$!
trap 'kill $upstream_pid 2>/dev/null; cleanup; exit $?' EXIT

export MINIK_DNS_UPSTREAMS=127.0.0.1:$UPSTREAM_PORT
check "minik start --ephemeral" "$MINIK" start --profile "$PROFILE" --ephemeral
unset MINIK_DNS_UPSTREAMS
check "image load busybox:1.35" "$MINIK" image load --profile "$PROFILE" "$image"
IDLE="trap 'exit 0' TERM; while true; do sleep 1; done"
check "backends, a client and services" k apply -f - <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: httpd
        image: busybox:1.35
        imagePullPolicy: Never
        command: ["sh", "-c", "mkdir -p /www/cgi-bin && hostname > /www/index.html && echo '#!/bin/sh' > /www/cgi-bin/fwd && echo 'echo Content-Type: text/plain; echo; echo \"\$HTTP_X_FORWARDED_PROTO \$HTTP_X_FORWARDED_HOST \$HTTP_X_FORWARDED_FOR\"' >> /www/cgi-bin/fwd && chmod +x /www/cgi-bin/fwd && httpd -f -p 8080 -h /www & $IDLE"]
        ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox:1.35
    imagePullPolicy: Never
    command: ["sh", "-c", "$IDLE"]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: sticky}
spec:
  selector: {app: web}
  sessionAffinity: ClientIP
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: nobody}
spec:
  selector: {app: nobody}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: local}
spec:
  type: NodePort
  externalTrafficPolicy: Local
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
YAML
retry 90 test "$(k get deploy web -o jsonpath='{.status.readyReplicas}')" = 2
retry 60 test "$(k get pod client -o jsonpath='{.status.phase}')" = Running
web_pods=$(k get pods -l app=web -o jsonpath='{.items[*].metadata.name}' | tr ' ' '\n' | sort | xargs)
cip=$(k get svc web -o jsonpath='{.spec.clusterIP}')
is_backend() { [[ -n $1 && " $web_pods " == *" $1 "* ]]; }
host_get() { curl -sS --max-time 5 "$@"; }

retry 30 is_backend "$(host_get "http://$cip/")"
check "a named targetPort resolves to the container port (host -> ClusterIP)" is_backend "$(host_get "http://$cip/")"
check "the pod reaches the service by name" is_backend "$(k exec client -- timeout 5 wget -qO- http://web 2>&1)"
sticky=$(k exec client -- sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do timeout 5 wget -qO- http://sticky; done' 2>/dev/null | sort -u | wc -l)
expect_eq "sessionAffinity ClientIP keeps one backend over 10 requests" 1 "$sticky"
spread=$(k exec client -- sh -c 'for i in $(seq 20); do timeout 5 wget -qO- http://web; done' 2>/dev/null | sort -u | wc -l)
expect_eq "without affinity 20 requests reach both backends" 2 "$spread"

nobody=$(k get svc nobody -o jsonpath='{.spec.clusterIP}')
start=$SECONDS
curl -sS --max-time 5 "http://$nobody/" >/dev/null 2>&1
rc=$?
expect_eq "a service without endpoints refuses at once (curl exit 7, not a timeout)" 7 "$rc"
expect_match "... within 2 s" '^[012]$' "$((SECONDS - start))"
check_fails "an unallocated service address is refused, not routed away" curl -sS --max-time 3 http://10.96.123.234/

np=$(k get svc local -o jsonpath='{.spec.ports[0].nodePort}')
retry 30 is_backend "$(host_get "http://127.0.0.1:$np/")"
check "externalTrafficPolicy Local: the NodePort answers on 127.0.0.1" is_backend "$(host_get "http://127.0.0.1:$np/")"

# Cluster DNS (UDP and TCP to 10.96.0.10 through the kube-dns ClusterIP).
nsl() { k exec client -- nslookup "$@" 2>&1; }
expect_match "A record of a service" "$cip" "$(nsl web.default.svc.cluster.local)"
expect_match "SRV record of a named port" '_http._tcp.web.default.svc.cluster.local.*service = .* 80 web.default.svc.cluster.local' \
  "$(nsl -type=SRV _http._tcp.web.default.svc.cluster.local)"
expect_match "PTR record of a ClusterIP" 'web.default.svc.cluster.local' "$(nsl "$cip")"
expect_match "NXDOMAIN for an unknown service" "NXDOMAIN|can't find" "$(nsl missing.default.svc.cluster.local)"
expect_match "names outside the cluster go to the upstream resolver" '192\.0\.2\.7' "$(nsl www.example.test)"
# busybox nslookup speaks UDP only: TCP from the host, through the same ClusterIP rules.
tcp_query() {
  python3 - "$1" <<'PY'
import socket, struct, sys
name = sys.argv[1]
q = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
q += b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0" + struct.pack(">HH", 1, 1)
s = socket.create_connection(("10.96.0.10", 53), timeout=5)
s.sendall(struct.pack(">H", len(q)) + q)
n = struct.unpack(">H", s.recv(2))[0]
r = b""
while len(r) < n:
    r += s.recv(n - len(r))
print(".".join(str(b) for b in r[-4:]) if struct.unpack(">H", r[6:8])[0] else "no answer")
PY
}
expect_eq "DNS over TCP (host -> 10.96.0.10)" "$cip" "$(tcp_query web.default.svc.cluster.local 2>&1)"

# Ingress beyond the acceptance script.
check "ingresses: Exact, wildcard host, defaultBackend, a service with no endpoints" k apply -f - <<'YAML'
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: more}
spec:
  defaultBackend:
    service: {name: web, port: {name: http}}
  rules:
  - host: "*.wild.test"
    http:
      paths:
      - {path: /exact, pathType: Exact, backend: {service: {name: web, port: {number: 80}}}}
      - {path: /down, pathType: Prefix, backend: {service: {name: nobody, port: {number: 80}}}}
      - {path: /cgi-bin, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
YAML
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Host: $1" "http://127.0.0.1$2"; }
retry 30 test "$(code a.wild.test /exact)" = 404  # busybox httpd has no /exact: the route reached it
expect_eq "Exact /exact routes to web (its 404, not a missing route's)" 404 "$(code a.wild.test /exact)"
expect_eq "a service without endpoints answers 503" 503 "$(code a.wild.test /down)"
check "defaultBackend serves an unmatched path" is_backend "$(host_get -H 'Host: b.wild.test' http://127.0.0.1/)"
fwd=$(host_get -H 'Host: c.wild.test' http://127.0.0.1/cgi-bin/fwd)
expect_match "X-Forwarded-Proto/Host/For reach the backend" '^http c\.wild\.test [0-9.]+' "$fwd"
retry 30 test -n "$(k get ingress more -o jsonpath='{.status.loadBalancer.ingress[0].ip}')"
expect_match "the Ingress status has the node address" '^[0-9.]+$' "$(k get ingress more -o jsonpath='{.status.loadBalancer.ingress[0].ip}')"

check "minik delete" "$MINIK" delete --profile "$PROFILE"
expect_eq "no MINIK iptables rule or chain left" 0 "$(iptables-save 2>/dev/null | grep -c MINIK)"
check_fails "nothing listens on the DNS address after delete" sh -c "ss -lun | grep -q '10.244.0.1:53 '"
