#!/usr/bin/env bash
# Smoke test: an ephemeral cluster starts, kubectl does CRUD, tables and watch, and the
# cluster is deleted without leftovers.
source "$(dirname "$0")/lib.sh"

check "minik start --ephemeral" "$MINIK" start --profile "$PROFILE" --ephemeral
expect_eq "node Ready" True \
  "$(k get node "$PROFILE" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>&1)"
check "create namespace (protobuf body)" k create namespace smoke
check "create configmap" k -n smoke create configmap c1 --from-literal=a=b
expect_eq "get configmap" b "$(k -n smoke get cm c1 -o jsonpath='{.data.a}' 2>&1)"
expect_match "table output" 'NAME +DATA +AGE' "$(k -n smoke get cm 2>&1)"
check "apply from a manifest" k apply -f - <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: applied, namespace: smoke}
data: {k: v}
YAML
expect_match "strict validation rejects unknown fields" 'unknown field "dataz"' \
  "$(printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: smoke}\ndataz: {}\n' | k apply -f - 2>&1)"
check "delete configmap" k -n smoke delete cm c1
check_fails "deleted configmap is gone" k -n smoke get cm c1
check "delete namespace" k delete namespace smoke --timeout=30s
check "minik status" "$MINIK" status --profile "$PROFILE"
check "minik delete" "$MINIK" delete --profile "$PROFILE"
check_fails "status fails after delete" "$MINIK" status --profile "$PROFILE"
check_fails "no server process left" pgrep -f "minik server --profile $PROFILE"
