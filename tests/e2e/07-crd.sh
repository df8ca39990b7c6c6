#!/usr/bin/env bash
# CustomResourceDefinitions beyond the acceptance script: a CRD with a schema and printer
# columns, a toy operator (a shell loop with kubectl) reconciling a custom resource into a
# ConfigMap, a name conflict between two CRDs, a non-structural schema refused, kubectl
# explain, custom resources kept across a restart and deleted with their namespace, a
# validating webhook (python3's HTTPS server on 127.0.0.1, registered by URL), and a
# ValidatingAdmissionPolicy with params.
source "$(dirname "$0")/lib.sh"

log() { printf '%s\n' "-- $*"; }
fails_with() {
  local n=$1 re=$2; shift 2; local out
  if out=$("$@" 2>&1); then bad "$n" "unexpected success: $out"
  elif [[ $out =~ $re ]]; then ok "$n"; else bad "$n" "not /$re/: $out"; fi
}
BG=()
trap 'for p in "${BG[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; cleanup; exit $?' EXIT

check "minik start" "$MINIK" start --profile "$PROFILE"

log "a CRD with a schema and printer columns"
cat >"$WORK/crd.yaml" <<'YAML'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: backups.ops.example.org}
spec:
  group: ops.example.org
  scope: Namespaced
  names: {plural: backups, singular: backup, kind: Backup, shortNames: [bk]}
  versions:
  - name: v1
    served: true
    storage: true
    additionalPrinterColumns:
    - {name: Target, type: string, jsonPath: .spec.target}
    - {name: Keep, type: integer, jsonPath: .spec.keep}
    - {name: Done, type: boolean, jsonPath: .status.done, priority: 1}
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        required: [spec]
        properties:
          spec:
            type: object
            required: [target]
            properties:
              target: {type: string, pattern: '^[a-z]+$'}
              keep: {type: integer, minimum: 0, default: 7}
              schedule: {type: string}
          status:
            type: object
            properties:
              done: {type: boolean}
YAML
check "apply the CRD" k apply -f "$WORK/crd.yaml"
check "it becomes Established" k wait --for=condition=Established crd/backups.ops.example.org --timeout=30s
retry 30 k get backups
check "create backup db (keep defaults to 7)" k apply -f - <<'YAML'
apiVersion: ops.example.org/v1
kind: Backup
metadata: {name: db}
spec: {target: mariadb}
YAML
expect_eq "printer columns" "NAME TARGET KEEP" "$(k get bk 2>&1 | head -1 | xargs)"
expect_eq "cells" "db mariadb 7" "$(k get bk db --no-headers 2>&1 | xargs)"
expect_eq "-o wide adds the priority-1 column" "NAME TARGET KEEP DONE" "$(k get bk -o wide 2>&1 | head -1 | xargs)"
fails_with "spec.target is required" 'spec.target: Required value' k apply -f - <<'YAML'
apiVersion: ops.example.org/v1
kind: Backup
metadata: {name: bad}
spec: {keep: 1}
YAML
fails_with "pattern is enforced" 'spec.target.*should match' k apply -f - <<'YAML'
apiVersion: ops.example.org/v1
kind: Backup
metadata: {name: bad}
spec: {target: Upper}
YAML
explains() { k explain backup.spec.keep 2>&1 | grep -q 'FIELD: keep <integer>'; }
retry 30 explains
check "kubectl explain backup.spec.keep" explains

log "a toy operator: Backup -> ConfigMap backup-<name> with data.target"
(
  while [[ ! -e $WORK/op.stop ]]; do
    k get bk -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.spec.target}{"\n"}{end}' 2>/dev/null |
      while read -r name target; do
        [[ -n $name ]] || continue
        k create configmap "backup-$name" --from-literal=target="$target" --dry-run=client -o yaml |
          k apply -f - >/dev/null 2>&1
        k patch bk "$name" --subresource=status --type=merge -p '{"status":{"done":true}}' >/dev/null 2>&1
      done
    sleep 0.3
  done
) &
BG+=($!)
cm_target() { [[ $(k get configmap "backup-$1" -o jsonpath='{.data.target}' 2>/dev/null) == "$2" ]]; }
retry 30 cm_target db mariadb
check "the operator made ConfigMap backup-db" cm_target db mariadb
check "change the target" k patch bk db --type=merge -p '{"spec":{"target":"postgres"}}'
retry 30 cm_target db postgres
check "the operator followed the change" cm_target db postgres
done_is() { [[ $(k get bk db -o jsonpath='{.status.done}' 2>/dev/null) == true ]]; }
retry 30 done_is
check "the operator set status.done through /status" done_is
touch "$WORK/op.stop"

log "names, schemas, restart, namespaces"
fails_with "a non-structural schema is refused" 'Required value|must not be empty|type' k apply -f - <<'YAML'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: things.ops.example.org}
spec:
  group: ops.example.org
  scope: Namespaced
  names: {plural: things, kind: Thing}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        properties:
          spec: {properties: {a: {}}}
YAML
check "a second CRD wants kind Backup in the same group" k apply -f - <<'YAML'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: backupcopies.ops.example.org}
spec:
  group: ops.example.org
  scope: Namespaced
  names: {plural: backupcopies, kind: Backup}
  versions:
  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
YAML
names_refused() {
  [[ $(k get crd backupcopies.ops.example.org -o jsonpath='{.status.conditions[?(@.type=="NamesAccepted")].status}') == False ]]
}
retry 30 names_refused
check "its names are not accepted (the kind is taken)" names_refused
check_fails "so backupcopies are not served" k get backupcopies
check "minik stop" "$MINIK" stop --profile "$PROFILE"
check "minik start" "$MINIK" start --profile "$PROFILE"
retry 30 k get bk db
expect_eq "backup db is served again after the restart" postgres "$(k get bk db -o jsonpath='{.spec.target}' 2>&1)"
k create namespace scratch >/dev/null 2>&1
check "a backup in namespace scratch" k -n scratch apply -f - <<'YAML'
apiVersion: ops.example.org/v1
kind: Backup
metadata: {name: tmp}
spec: {target: tmp}
YAML
check "delete namespace scratch" k delete namespace scratch --timeout=60s
expect_eq "its backups went with it" "" "$(k get bk -A -o name 2>/dev/null | grep tmp)"

log "a validating webhook registered by URL"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$WORK/hook.key" -out "$WORK/hook.crt" >/dev/null 2>&1
cat >"$WORK/hook.py" <<'PY'
import json, os, ssl, sys
from http.server import BaseHTTPRequestHandler, HTTPServer
class Hook(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_POST(self):
        review = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        req = review["request"]
        keep = ((req.get("object") or {}).get("spec") or {}).get("keep", 0)
        resp = {"uid": req["uid"], "allowed": keep <= 30}
        if not resp["allowed"]:
            resp["status"] = {"code": 403, "message": "keep at most 30 backups"}
        body = json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": resp}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
srv = HTTPServer(("127.0.0.1", 0), Hook)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
open(sys.argv[3] + ".tmp", "w").write(str(srv.server_address[1])); os.rename(sys.argv[3] + ".tmp", sys.argv[3])
srv.serve_forever()
PY
python3 "$WORK/hook.py" "$WORK/hook.crt" "$WORK/hook.key" "$WORK/hook.port" &
BG+=($!)
retry 10 test -s "$WORK/hook.port"
check "register the webhook for backups" k apply -f - <<YAML
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: backups-keep}
webhooks:
- name: keep.ops.example.org
  clientConfig:
    url: https://127.0.0.1:$(cat "$WORK/hook.port")/validate
    caBundle: $(base64 -w0 <"$WORK/hook.crt")
  rules:
  - {operations: [CREATE, UPDATE], apiGroups: [ops.example.org], apiVersions: ["*"], resources: [backups]}
  sideEffects: None
  admissionReviewVersions: [v1]
  timeoutSeconds: 5
YAML
denied() { k patch bk db --type=merge -p '{"spec":{"keep":40}}' 2>&1 | grep -q 'keep at most 30 backups'; }
retry 30 denied
check "the webhook denies keep 40 on a custom resource" denied
check "keep 20 is allowed" k patch bk db --type=merge -p '{"spec":{"keep":20}}'
expect_eq "the denied change was not stored" 20 "$(k get bk db -o jsonpath='{.spec.keep}' 2>&1)"

log "a ValidatingAdmissionPolicy (CEL) on custom resources, with a ConfigMap as params"
k create configmap backup-policy --from-literal=blocked=etc >/dev/null 2>&1
check "create the policy and its binding" k apply -f - <<'YAML'
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: no-blocked-targets}
spec:
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
    resourceRules:
    - {apiGroups: [ops.example.org], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [backups]}
  validations:
  - expression: "object.spec.target != params.data.blocked"
    messageExpression: "'target ' + object.spec.target + ' is blocked'"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: no-blocked-targets}
spec:
  policyName: no-blocked-targets
  validationActions: [Deny]
  paramRef: {name: backup-policy, namespace: default, parameterNotFoundAction: Deny}
YAML
expect_match "kubectl get validatingadmissionpolicies shows its columns" 'no-blocked-targets +0? ?1 +v1/ConfigMap' \
  "$(k get validatingadmissionpolicies --no-headers 2>&1)"
blocked() { k patch bk db --type=merge -p '{"spec":{"target":"etc"}}' 2>&1 | grep -q "ValidatingAdmissionPolicy 'no-blocked-targets' with binding 'no-blocked-targets' denied request: target etc is blocked"; }
retry 30 blocked
check "the policy denies a blocked target" blocked
check "another target is allowed" k patch bk db --type=merge -p '{"spec":{"target":"www"}}'
check "switch the binding to Warn" k patch validatingadmissionpolicybinding no-blocked-targets --type=merge \
  -p '{"spec":{"validationActions":["Warn"]}}'
warned() { k patch bk db --type=merge -p '{"spec":{"target":"etc"}}' 2>&1 | grep -q "Warning: Validation failed for ValidatingAdmissionPolicy 'no-blocked-targets'"; }
retry 30 warned
check "Warn lets the change through with a warning" warned
expect_eq "the warned change was stored" etc "$(k get bk db -o jsonpath='{.spec.target}' 2>&1)"

log "deleting the CRD"
check "delete the CRDs" k delete crd backups.ops.example.org backupcopies.ops.example.org --timeout=60s
check_fails "backups are no longer served" k get backups.ops.example.org
