#!/usr/bin/env bash
# Simulated nodes: `minik start --simulated-nodes 3` lists them as Ready nodes with their
# taint; workload controllers run pods on them (no containers): a Deployment scales, rolls
# out and is garbage-collected; a DaemonSet that tolerates the taint covers them; a restart
# with fewer nodes removes the rest.
source "$(dirname "$0")/lib.sh"

check "minik start --simulated-nodes 3" "$MINIK" start --profile "$PROFILE" --simulated-nodes 3
check_fails "--simulated-nodes rejects a bad count" "$MINIK" start --profile "$PROFILE" --simulated-nodes x
ready() { k get nodes -o jsonpath='{range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status} {end}'; }
expect_eq "4 Ready nodes" "$PROFILE=True sim-0=True sim-1=True sim-2=True " "$(ready)"
expect_eq "sim nodes carry the taint" "minik.io/simulated" "$(k get node sim-1 -o jsonpath='{.spec.taints[0].key}')"
check "create Deployment sim (6 replicas on simulated nodes)" k apply -f - <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: sim}
spec:
  replicas: 6
  selector: {matchLabels: {app: sim}}
  template:
    metadata: {labels: {app: sim}}
    spec:
      nodeSelector: {type: simulated}
      tolerations: [{key: minik.io/simulated, operator: Exists, effect: NoSchedule}]
      containers: [{name: c, image: example.invalid/never-pulled:1}]
YAML
check "rollout status" k rollout status deploy/sim --timeout=30s
nodes() { k get pods -l app=sim -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' | sort -u | xargs; }
expect_match "pods run on simulated nodes only" '^sim-[0-2]( sim-[0-2])*$' "$(nodes)"
running() { [[ $(k get pods -l app=sim --field-selector status.phase=Running -o name | grep -c .) == "$1" ]]; }
check "scale to 12" k scale deploy/sim --replicas=12
retry 30 running 12
check "12 pods Running" running 12
check "set image" k set image deploy/sim c=example.invalid/never-pulled:2
check "rollout to the new image completes" k rollout status deploy/sim --timeout=60s
expect_eq "two ReplicaSets" 2 "$(k get rs -l app=sim -o name | grep -c .)"
check "create DaemonSet tolerating the taint" k apply -f - <<'YAML'
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: everywhere}
spec:
  selector: {matchLabels: {app: everywhere}}
  template:
    metadata: {labels: {app: everywhere}}
    spec:
      nodeSelector: {type: simulated}
      tolerations: [{key: minik.io/simulated, operator: Exists, effect: NoSchedule}]
      containers: [{name: c, image: example.invalid/never-pulled:1}]
YAML
check "rollout status ds" k rollout status ds/everywhere --timeout=30s
expect_eq "one daemon pod per simulated node" 3 "$(k get ds everywhere -o jsonpath='{.status.numberReady}')"
check "delete the Deployment" k delete deploy sim
gone() { [[ -z $(k get rs,pods -l app=sim -o name) ]]; }
retry 30 gone
check "its ReplicaSets and pods are garbage-collected" gone
check "minik stop" "$MINIK" stop --profile "$PROFILE"
check "restart with 1 simulated node" "$MINIK" start --profile "$PROFILE" --simulated-nodes 1
expect_eq "2 nodes after the restart" "$PROFILE=True sim-0=True " "$(ready)"
