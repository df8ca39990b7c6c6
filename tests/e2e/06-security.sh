#!/usr/bin/env bash
# RBAC beyond the acceptance script, with the real kubectl acting as a restricted user
# (a client certificate from `minik kubeconfig --user`): the aggregated edit/admin roles,
# subresources and `*/scale`, watch and list refused alike, the escalate verb,
# aggregationRule needing full authority, SubjectAccessReview for another user, a binding
# to a missing role (SubjectAccessReview is posted with --validate=false: minik's OpenAPI does not
# list the review kinds yet, so kubectl's schema check falls back to CRDs, which come with issue 11),
# server-side apply of a Role under the escalation check, and default
# roles restored by a restart.
source "$(dirname "$0")/lib.sh"

log() { printf '%s\n' "-- $*"; }
fails_with() {
  local n=$1 re=$2; shift 2; local out
  if out=$("$@" 2>&1); then bad "$n" "unexpected success: $out"
  elif [[ $out =~ $re ]]; then ok "$n"; else bad "$n" "not /$re/: $out"; fi
}

check "minik start" "$MINIK" start --profile "$PROFILE"
check "minik kubeconfig --user erin --group qa" \
  sh -c "'$MINIK' kubeconfig --profile '$PROFILE' --user erin --group qa >'$WORK/erin.kubeconfig'"
erin() { kubectl --kubeconfig="$WORK/erin.kubeconfig" "$@"; }
k create namespace team >/dev/null 2>&1
k create namespace other >/dev/null 2>&1

expect_eq "erin is erin (certificate CN)" erin "$(erin auth whoami -o jsonpath='{.status.userInfo.username}' 2>&1)"
check_fails "erin cannot list pods before any binding" erin -n team get pods
expect_match "the refusal names erin, the verb and the namespace" \
  'User "erin" cannot list resource "pods" in API group "" in the namespace "team"' "$(erin -n team get pods 2>&1)"
check_fails "erin cannot watch pods either" erin -n team get pods --watch --request-timeout=5s

log "edit (aggregated from system:aggregate-to-edit and view) through group qa"
check "bind group qa to ClusterRole edit in team" k -n team create rolebinding qa-edit --clusterrole=edit --group=qa
retry 30 erin -n team get pods
check "erin lists pods in team" erin -n team get pods
check "erin creates a deployment in team (edit)" erin -n team create deployment web --image=busybox:1.35 -- sleep 3600
check "erin scales it (deployments/scale)" erin -n team scale deployment web --replicas=0
check "erin reads secrets (edit)" erin -n team get secrets
expect_eq "erin cannot create roles (edit is not admin)" no "$(erin -n team auth can-i create roles 2>&1)"
check_fails "erin cannot list pods in other" erin -n other get pods
check_fails "erin cannot read nodes (cluster scope)" erin get nodes
expect_eq "can-i get pods/log in team" yes "$(erin -n team auth can-i get pods --subresource=log 2>&1)"
expect_eq "can-i create pods/exec in team" yes "$(erin -n team auth can-i create pods --subresource=exec 2>&1)"
expect_eq "can-i update resourcequotas in team is no" no "$(erin -n team auth can-i update resourcequotas 2>&1)"

log "escalation"
check "bind group qa to ClusterRole admin in team" k -n team create rolebinding qa-admin --clusterrole=admin --group=qa
retry 30 sh -c "[ \"\$(kubectl --kubeconfig='$WORK/erin.kubeconfig' -n team auth can-i create roles)\" = yes ]"
role_with() { # role_with NAME GROUP RESOURCE VERB: a Role manifest
  printf 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: %s, namespace: team}\nrules:\n- apiGroups: ["%s"]\n  resources: [%s]\n  verbs: [%s]\n' "$@"
}
check "admin erin grants a Role within edit's rights" sh -c "$(declare -f role_with); role_with pods-reader '' pods get | kubectl --kubeconfig='$WORK/erin.kubeconfig' create -f -"
fails_with "erin cannot grant nodes access (not held)" 'attempting to grant RBAC permissions not currently held' \
  sh -c "$(declare -f role_with); role_with nodes-reader '' nodes get | kubectl --kubeconfig='$WORK/erin.kubeconfig' create -f -"
fails_with "nor through server-side apply" 'attempting to grant RBAC permissions not currently held' \
  sh -c "$(declare -f role_with); role_with nodes-reader '' nodes get | kubectl --kubeconfig='$WORK/erin.kubeconfig' apply --server-side -f -"
fails_with "nor by editing an existing Role with patch" 'attempting to grant RBAC permissions not currently held' \
  erin -n team patch role pods-reader --type=json -p '[{"op":"add","path":"/rules/-","value":{"apiGroups":[""],"resources":["nodes"],"verbs":["get"]}}]'
check "grant erin escalate on roles in team" k -n team create role escalator --verb=escalate --resource=roles.rbac.authorization.k8s.io
check "bind it" k -n team create rolebinding erin-escalator --role=escalator --user=erin
retry 30 sh -c "$(declare -f role_with); role_with nodes-reader '' nodes get | kubectl --kubeconfig='$WORK/erin.kubeconfig' create --dry-run=server -f -"
check "with escalate: erin may grant what she lacks" \
  sh -c "$(declare -f role_with); role_with nodes-reader '' nodes get | kubectl --kubeconfig='$WORK/erin.kubeconfig' create -f -"
fails_with "binding cluster-admin is refused (no bind verb, not held)" 'not currently held' \
  erin -n team create rolebinding erin-root --clusterrole=cluster-admin --user=erin

log "ClusterRoles under escalate"
check "grant erin create on clusterroles" k create clusterrole cr-writer --verb=create,escalate --resource=clusterroles.rbac.authorization.k8s.io
check "bind it cluster-wide" k create clusterrolebinding erin-cr-writer --clusterrole=cr-writer --user=erin
retry 30 sh -c "[ \"\$(kubectl --kubeconfig='$WORK/erin.kubeconfig' auth can-i create clusterroles)\" = yes ]"
check "with escalate erin may create a plain ClusterRole" erin create clusterrole erin-plain --verb=get --resource=pods

log "reviews and resolution errors"
sar=$(k create --validate=false -o jsonpath='{.status.allowed}' -f - 2>&1 <<'EOF'
apiVersion: authorization.k8s.io/v1
kind: SubjectAccessReview
spec:
  user: erin
  groups: [qa]
  resourceAttributes: {namespace: team, verb: delete, resource: deployments, group: apps}
EOF
)
expect_eq "SubjectAccessReview: erin may delete deployments in team" true "$sar"
sar=$(k create --validate=false -o jsonpath='{.status.allowed}' -f - 2>&1 <<'EOF'
apiVersion: authorization.k8s.io/v1
kind: SubjectAccessReview
spec:
  user: erin
  groups: [qa]
  resourceAttributes: {namespace: other, verb: get, resource: pods}
EOF
)
expect_eq "SubjectAccessReview: erin may not get pods in other" false "$sar"
check "a RoleBinding to a role that does not exist (admin may create it)" \
  k -n other create rolebinding dangling --clusterrole=does-not-exist --user=erin
expect_match "the refusal names the missing role" 'clusterrole.rbac.authorization.k8s.io "does-not-exist" not found' \
  "$(erin -n other get pods 2>&1)"
expect_match "can-i --list shows the edit rules in team" 'deployments.apps[[:space:]]+\[\][[:space:]]+\[\][[:space:]]+\[.*create' \
  "$(erin -n team auth can-i --list 2>&1)"

log "default roles survive deletion and restart"
check "delete ClusterRole view" k delete clusterrole view
check "minik stop" "$MINIK" stop --profile "$PROFILE"
check "minik start again" "$MINIK" start --profile "$PROFILE"
check "view is back after the restart" k get clusterrole view
retry 30 sh -c "kubectl get clusterrole view -o jsonpath='{.rules[*].resources}' | grep -q pods"
expect_match "and aggregates its parts again" pods "$(k get clusterrole view -o jsonpath='{.rules[*].resources}' 2>&1)"
check "erin's rights are as before" erin -n team get pods
