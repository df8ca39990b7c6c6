#!/usr/bin/env bash
# Streaming with every kubectl from 1.27 to 1.33 (the kubectl.1.XX binaries beside the
# installed kubectl): exec (stdout/stderr apart, exit codes, stdin), cp both ways, logs -f and
# port-forward. 1.27-1.29 speak SPDY for exec; 1.30+ WebSocket first (v5.channel.k8s.io) and
# port-forward over SPDY tunnelled in WebSocket; the *_WEBSOCKETS=false switches force SPDY.
source "$(dirname "$0")/lib.sh"

KDIR=$(dirname "$(readlink -f "$(command -v kubectl)")")
image=$("$ROOT/tests/e2e/test-image.sh" busybox "${E2E_CACHE:-/tmp/minik-e2e-cache}") ||
  { bad "build the busybox test image" "test-image.sh failed"; exit 1; }

check "minik start --ephemeral" "$MINIK" start --profile "$PROFILE" --ephemeral
check "image load busybox:1.35" "$MINIK" image load --profile "$PROFILE" "$image"
check "create pods" k apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: box, labels: {app: box}}
spec:
  containers:
  - name: main
    image: busybox:1.35
    imagePullPolicy: Never
    command: ["sh", "-c", "httpd -p 8080 -h /var/www; i=0; trap 'exit 0' TERM; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done"]
YAML
retry 60 test "$(k get pod box -o jsonpath='{.status.phase}')" = Running
expect_eq "pod Running" Running "$(k get pod box -o jsonpath='{.status.phase}')"
head -c 300000 /dev/urandom >"$WORK/blob"
sum=$(sha256sum <"$WORK/blob" | cut -d' ' -f1)

port=19000
pf_page() { curl -fsS --max-time 5 "http://127.0.0.1:$1/"; }
for v in 27 28 29 30 31 32 33; do
  K=$KDIR/kubectl.1.$v
  [[ -x $K ]] || { bad "kubectl 1.$v present" "$K missing"; continue; }
  out=$("$K" exec box -- sh -c 'echo out; echo err >&2; exit 3' 2>"$WORK/err")
  rc=$?
  expect_eq "1.$v exec: stdout" out "$out"
  expect_match "1.$v exec: stderr" '^err' "$(cat "$WORK/err")"
  expect_eq "1.$v exec: exit code 3" 3 "$rc"
  expect_eq "1.$v exec -i: stdin" "$sum" "$("$K" exec -i box -- sha256sum <"$WORK/blob" 2>&1 | cut -d' ' -f1)"
  check "1.$v cp into the pod" "$K" cp "$WORK/blob" "box:/tmp/blob$v"
  check "1.$v cp out of the pod" "$K" cp "box:/tmp/blob$v" "$WORK/back$v"
  expect_eq "1.$v cp round trip" "$sum" "$(sha256sum <"$WORK/back$v" | cut -d' ' -f1)"
  timeout 2 "$K" logs -f --tail=1 box >"$WORK/follow$v" 2>&1
  expect_eq "1.$v logs -f runs until stopped" 124 "$?"
  expect_match "1.$v logs -f streams new lines" '^([4-9]|[1-9][0-9]+)$' "$(grep -c '^tick' "$WORK/follow$v")"
  port=$((port + 1))
  "$K" port-forward pod/box "$port:8080" >"$WORK/pf$v" 2>&1 &
  pf=$!
  retry 20 pf_page "$port"
  expect_match "1.$v port-forward serves the page" 'minik test image' "$(pf_page "$port" 2>&1)"
  kill "$pf" 2>/dev/null; wait "$pf" 2>/dev/null
done

K=$KDIR/kubectl.1.32
# 100 concurrent exec sessions, then nothing left behind in the server (descriptors,
# threads) or in the container (processes).
server_pid=$(cat "$MINIK_HOME/profiles/$PROFILE/server.pid")
counts() { echo "$(ls /proc/"$server_pid"/fd | wc -l) $(ls /proc/"$server_pid"/task | wc -l)"; }
before=$(counts)
for i in $(seq 100); do "$K" exec box -- sh -c "echo s$i; sleep 1" >"$WORK/x.$i" 2>&1 & done
wait
expect_eq "100 concurrent exec sessions all answered" 100 "$(cat "$WORK"/x.* | grep -c '^s[0-9]*$')"
for f in "$WORK"/x.*; do grep -q '^s[0-9]*$' "$f" || echo "        ${f##*/}: $(head -c 300 "$f")"; done
settled() { [[ $(counts) == "$before" ]]; }
retry 10 settled
expect_eq "no descriptor or thread left in the server after them (fds threads)" "$before" "$(counts)"
expect_eq "no exec'd process left in the container" 0 \
  "$("$K" exec box -- sh -c 'ps -o args | grep -c "^sleep 1$"' 2>/dev/null)"
expect_eq "SPDY exec (KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false)" "hi" \
  "$(KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false "$K" exec box -- echo hi 2>&1)"
"$K" exec box -- sh -c 'exit 5' >/dev/null 2>&1
expect_eq "SPDY exec passes exit codes too" 5 "$(KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false "$K" exec box -- sh -c 'exit 5' >/dev/null 2>&1; echo $?)"
KUBECTL_PORT_FORWARD_WEBSOCKETS=false "$K" port-forward pod/box 19100:8080 >"$WORK/pf-spdy" 2>&1 &
pf=$!
retry 20 pf_page 19100
expect_match "plain SPDY port-forward" 'minik test image' "$(pf_page 19100 2>&1)"
kill "$pf" 2>/dev/null; wait "$pf" 2>/dev/null
"$K" port-forward pod/box 19101:8080 >"$WORK/pf-many" 2>&1 &
pf=$!
retry 20 pf_page 19101
many() { local i; for i in $(seq 20); do pf_page 19101 >"$WORK/many.$i" & done; wait; grep -l 'minik test image' "$WORK"/many.* | wc -l; }
expect_eq "port-forward: 20 concurrent connections all served" 20 "$(many)"
kill "$pf" 2>/dev/null; wait "$pf" 2>/dev/null
# A refused port: the server reports it on that connection's error stream; kubectl (1.27+)
# then prints it and ends the whole port-forward ("lost connection to pod"), as upstream.
"$K" port-forward pod/box 19102:9999 >"$WORK/pf-refused" 2>&1 &
pf=$!
retry 20 grep -q Forwarding "$WORK/pf-refused"
pf_page 19102 >/dev/null 2>&1
retry 20 grep -q 'connection refused' "$WORK/pf-refused"
expect_match "port-forward to a closed port reports the refusal" \
  'error forwarding port 9999 to pod box, uid [-0-9a-f]+: .*connect: connection refused' "$(cat "$WORK/pf-refused")"
kill "$pf" 2>/dev/null; wait "$pf" 2>/dev/null
"$K" port-forward pod/box 19103:8080 >/dev/null 2>&1 &
pf=$!
retry 20 pf_page 19103
expect_match "a new port-forward works after the refused one" 'minik test image' "$(pf_page 19103 2>&1)"
kill "$pf" 2>/dev/null; wait "$pf" 2>/dev/null
"$K" exec box -- sleep 4321 >/dev/null 2>&1 &
ex=$!
retry 10 sh -c "\"$K\" exec box -- ps -o args | grep -q '^sleep 4321'"
kill -9 "$ex"; wait "$ex" 2>/dev/null
gone() { ! "$K" exec box -- ps -o args 2>/dev/null | grep -q '^sleep 4321'; }
retry 10 gone
check "a killed kubectl exec ends its process in the container" gone
# What client libraries speak: the channel protocols over WebSocket, and the kubelet-style
# port-forward (v4.channel.k8s.io with ?ports=).
wsc() { timeout 30 python3 "$ROOT/tests/e2e/ws_client.py" "$@" 2>&1; }
for proto in v4.channel.k8s.io v4.base64.channel.k8s.io channel.k8s.io base64.channel.k8s.io; do
  out=$(wsc exec "$proto" default box sh -c 'echo out; echo err >&2; exit 3')
  expect_match "client-library exec over $proto: stdout, stderr, exit status" \
    '"stdout": "out\\n", "stderr": "err\\n", "status": .*exit code 3' "$out"
done
expect_match "client-library exec over v4: the exit code in the Status causes" \
  '"reason": "NonZeroExitCode", "details": \{"causes": \[\{"reason": "ExitCode", "message": "3"\}' \
  "$(wsc exec v4.channel.k8s.io default box sh -c 'exit 3')"
expect_match "kubelet-style WebSocket port-forward: both channels start with the port, data flows" \
  '"ports": \[8080, 8080\], "data": "HTTP/1.[01] 200 OK.*minik test image' "$(wsc portforward default box 8080)"
expect_match "kubelet-style WebSocket port-forward: a refused port on the error channel" \
  '"error": "error forwarding port 9999 to pod box.*connection refused' "$(wsc portforward default box 9999)"
# kubectl debug: an ephemeral container in the target container's PID namespace.
check "kubectl debug runs an ephemeral container" "$K" debug box --image=busybox:1.35 \
  --image-pull-policy=Never --container=dbg --target=main -- sh -c 'ps -o args; echo debug-done'
dbg_done() { [[ $("$K" get pod box -o jsonpath='{.status.ephemeralContainerStatuses[?(@.name=="dbg")].state.terminated.exitCode}') == 0 ]]; }
retry 30 dbg_done
check "the ephemeral container ran to completion (exit 0)" dbg_done
expect_match "it saw the target's processes (shared PID namespace)" 'httpd -p 8080' "$("$K" logs box -c dbg 2>&1)"
expect_match "debug -i attaches to the ephemeral container's stdin" 'from-stdin' \
  "$(echo 'echo from-stdin' | timeout 60 "$K" debug -i box --image=busybox:1.35 --image-pull-policy=Never --container=dbg2 -- sh 2>&1)"
expect_eq "the pod stays Running and Ready" "Running True" \
  "$("$K" get pod box -o jsonpath='{.status.phase} {.status.conditions[?(@.type=="Ready")].status}')"
expect_match "exec of a missing command says so" 'executable file not found|not found' \
  "$("$K" exec box -- no-such-command 2>&1)"
expect_match "exec into a missing container says so" 'container nope is not valid for pod box' \
  "$("$K" exec box -c nope -- true 2>&1)"
check "minik delete" "$MINIK" delete --profile "$PROFILE"
