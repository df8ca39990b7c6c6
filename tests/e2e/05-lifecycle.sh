#!/usr/bin/env bash
# The life cycle beyond acceptance 07: start's progress output (text and JSON), status and
# profile list in JSON, clear errors (not root, a corrupt store, a broken config — each
# leaving the state as it was), kill -9 with 100 writes in flight (every acknowledged one
# survives), a container that dies while the server is down (its real exit status), a full
# disk (the API fails the write, the store stays consistent and recovers), current-context
# handed to a running profile on delete, logs -f, version, completion, and no residue.
source "$(dirname "$0")/lib.sh"

image=$("$ROOT/tests/e2e/test-image.sh" busybox "${E2E_CACHE:-/tmp/minik-e2e-cache}") ||
  { bad "build the busybox test image" "test-image.sh failed"; exit 1; }
MARK=e2e05-$$
DISK=$WORK/disk   # a small tmpfs for the disk-full profile
cleanup_more() {
  "$MINIK" delete --all >/dev/null 2>&1
  mountpoint -q "$DISK" && umount "$DISK"
}
trap 'cleanup_more; cleanup; exit $?' EXIT

# host state minik may touch, compared before start and after delete
snap() {
  {
    ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print "link", $2 }'
    iptables-save | grep -iE 'minik|KUBE' | sed -E 's/ ?\[[0-9]+:[0-9]+\]//g; s/^/iptables /'
    awk '{ print "mount", $2 }' /proc/mounts | grep -E "minik|$WORK"
    find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -type d -name 'minik*' | sed 's/^/cgroup /'
    find /run/minik 2>/dev/null | sed 's/^/run /'
    pgrep -af "minik server" | grep -F "$MINIK_HOME" | sed 's/^/process /'
  } | grep -v "$DISK" | sort
}
snap >"$WORK/before"

no_ansi() { ! grep -q $'\e' <<<"$1"; }
json_lines() { python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin if l.strip()]'; }
field() { python3 -c 'import json,sys; d=json.loads(sys.stdin.read().splitlines()[-1]); print(d'"$1"')'; }

# --- start output ------------------------------------------------------------------------
out=$("$MINIK" start --profile "$PROFILE" 2>&1)
expect_eq "minik start exits 0" 0 $?
for step in certificates store "API server" node "pod network" "service rules" DNS ingress ready kubeconfig; do
  expect_match "start prints the step: $step" "✓ $step[: ]" "$out"
done
expect_match "the last line names the context and the elapsed time" \
  "minik is running \([0-9]+ ms\): kubectl context $PROFILE, API https://127\.0\.0\.1:[0-9]+$" "$(tail -n1 <<<"$out")"
check "no terminal escapes when stdout is not a terminal" no_ansi "$out"
json=$("$MINIK" start --profile "$PROFILE" --output json 2>&1)
check "start --output json (already running) prints JSON lines" json_lines <<<"$json"
expect_eq "the JSON summary says alreadyRunning" True "$(field '["alreadyRunning"]' <<<"$json")"

# --- status, profile list, version, completion, logs ----------------------------------------
st=$("$MINIK" status --profile "$PROFILE" --output json)
expect_eq "status --output json: Running" Running "$(field '["status"]' <<<"$st")"
expect_eq "status --output json: on disk" False "$(field '["ephemeral"]' <<<"$st")"
expect_match "profile list shows the profile with its API and pods" \
  "$PROFILE +Running +https://127\.0\.0\.1:[0-9]+ +[0-9]+ +disk" "$("$MINIK" profile list)"
expect_eq "profile list --output json" "$PROFILE" \
  "$("$MINIK" profile list -o json | field '["profiles"][0]["name"]')"
expect_match "version" "minik version v[0-9.]+.*Kubernetes API v1\.32" "$("$MINIK" version | xargs)"
check "completion bash is valid bash" bash -n <("$MINIK" completion bash)
timeout 1 "$MINIK" logs -f --profile "$PROFILE" >"$WORK/logs-f" 2>&1
expect_eq "logs -f keeps following until stopped" 124 $?
expect_match "logs -f printed the server's log" "ready profile=$PROFILE" "$(cat "$WORK/logs-f")"

# --- not root -----------------------------------------------------------------------------
nr=$(MINIK_HOME=$WORK/nobody setpriv --reuid=65534 --regid=65534 --clear-groups "$MINIK" start 2>&1)
expect_eq "start as non-root fails with one line" 1 "$(grep -c . <<<"$nr")"
expect_match "... that says root is needed" "needs root" "$nr"
check_fails "... and creates nothing" test -e "$WORK/nobody"

# --- kill -9 with 100 writes in flight -------------------------------------------------------
check "image load" "$MINIK" image load --profile "$PROFILE" "$image"
check "create pod dies (restartPolicy Never)" k apply -f - <<YAML
apiVersion: v1
kind: Pod
metadata: {name: dies}
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: busybox:1.35
    imagePullPolicy: Never
    command: ["sh", "-c", "trap 'exit 3' USR1; while true; do sleep 0.2; done # $MARK-dies"]
YAML
retry 60 test "$(k get pod dies -o jsonpath='{.status.phase}')" = Running
expect_eq "pod dies Running" Running "$(k get pod dies -o jsonpath='{.status.phase}')"
mkdir -p "$WORK/acks"
for i in $(seq 1 100); do
  (k create configmap "fly-$i" --from-literal=i="$i" >/dev/null 2>&1 && touch "$WORK/acks/fly-$i") &
done
sleep 0.3
spid=$(cat "$MINIK_HOME/profiles/$PROFILE/server.pid")
kill -9 "$spid"
wait
acked=$(ls "$WORK/acks" | wc -l)
echo "        $acked of 100 creates were acknowledged before kill -9"
# the container dies while no server watches it
cpid=$(pgrep -f -- "$MARK-dies" | head -n1)
for p in $(pgrep -f -- "$MARK-dies"); do
  pp=$(ps -o ppid= -p "$p" | tr -d ' ')
  tr '\0' ' ' <"/proc/$pp/cmdline" | grep -qF -- "$MARK-dies" || cpid=$p
done
check "signal the container while the server is down" kill -USR1 "$cpid"
check_fails "status fails while the server is down" "$MINIK" status --profile "$PROFILE"
check "minik start recovers" "$MINIK" start --profile "$PROFILE"
missing=0
for f in "$WORK"/acks/*; do
  [[ -e $f ]] || continue
  k get configmap "$(basename "$f")" >/dev/null 2>&1 || missing=$((missing + 1))
done
expect_eq "every acknowledged write survived kill -9 ($acked acknowledged)" 0 "$missing"
dies_state() { k get pod dies -o jsonpath='{.status.phase}/{.status.containerStatuses[0].state.terminated.exitCode}'; }
retry 30 test "$(dies_state)" = Failed/3
expect_eq "the container that died meanwhile reports its real exit code" Failed/3 "$(dies_state)"

# --- minik stop after the server died stops the containers it left running -------------------
check "create pod orphan" k apply -f - <<YAML
apiVersion: v1
kind: Pod
metadata: {name: orphan}
spec:
  containers:
  - name: main
    image: busybox:1.35
    imagePullPolicy: Never
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done # $MARK-orphan"]
YAML
retry 60 pgrep -f -- "$MARK-orphan"
kill -9 "$(cat "$MINIK_HOME/profiles/$PROFILE/server.pid")"
retry 10 bash -c "! pgrep -f 'minik server --profile $PROFILE\$'"
expect_match "minik stop stops the containers a dead server left" "stopped [0-9]+ containers? left running" \
  "$("$MINIK" stop --profile "$PROFILE" 2>&1)"
check_fails "no container process is left" pgrep -f -- "$MARK-orphan"
check "minik start after that" "$MINIK" start --profile "$PROFILE"

# --- a corrupt store and a broken config: clear errors, nothing changed ----------------------
check "create configmap keep" k create configmap keep --from-literal=k=v
check "minik stop" "$MINIK" stop --profile "$PROFILE"
P=$MINIK_HOME/profiles/$PROFILE
cp "$P/store/CURRENT" "$WORK/CURRENT"
printf 'garbage\n' >"$P/store/CURRENT"
sum_before=$(cd "$P/store" && find . -type f ! -name LOG\* -exec sha256sum {} + | sort)
out=$("$MINIK" start --profile "$PROFILE" 2>&1)
expect_eq "start with a corrupt store fails" 1 "$?"
expect_match "the last line says the store is corrupt and left untouched" \
  "^minik: the store at .*$PROFILE/store is corrupt .*left untouched" "$(tail -n1 <<<"$out")"
expect_eq "the store's files are unchanged" "$sum_before" \
  "$(cd "$P/store" && find . -type f ! -name LOG\* -exec sha256sum {} + | sort)"
check_fails "no server is left running" pgrep -f "minik server --profile $PROFILE\$"
cp "$WORK/CURRENT" "$P/store/CURRENT"
cp "$P/config.json" "$WORK/config.json"
printf '{"name": 1' >"$P/config.json"
out=$("$MINIK" start --profile "$PROFILE" 2>&1)
expect_eq "start with a broken config fails" 1 "$?"
expect_match "the error names the config and says nothing was changed" \
  "config.json: malformed profile config.*nothing was changed" "$out"
expect_eq "the broken config is left as it was" '{"name": 1' "$(cat "$P/config.json")"
cp "$WORK/config.json" "$P/config.json"
check "start after the repairs" "$MINIK" start --profile "$PROFILE"
expect_eq "objects are back" v "$(k get configmap keep -o jsonpath='{.data.k}' 2>&1)"

# --- a second profile; delete hands current-context to a running profile -------------------
check "start profile e2e-b" "$MINIK" start --profile e2e-b --ephemeral
expect_eq "e2e-b's context is current" e2e-b "$(k config current-context)"
expect_match "status of an ephemeral profile says so" "ephemeral" "$("$MINIK" status --profile e2e-b)"
check "delete e2e-b" "$MINIK" delete --profile e2e-b
expect_eq "current-context goes to the running profile" "$PROFILE" "$(k config current-context)"
check "delete $PROFILE" "$MINIK" delete --profile "$PROFILE"
expect_eq "no current-context is left" "" "$(k config current-context 2>/dev/null)"

# --- disk full -----------------------------------------------------------------------------
mkdir -p "$DISK"
check "mount a 96 MiB tmpfs for a profile's home" mount -t tmpfs -o size=96m tmpfs "$DISK"
export MINIK_HOME=$DISK/home
check "start profile full" "$MINIK" start --profile full
head -c 600000 /dev/urandom | base64 -w0 >"$WORK/blob"
# ballast: space given back later, so the store can resume (more than its 8 MiB reserve)
head -c 40M /dev/zero >"$DISK/ballast" 2>/dev/null
i=0 err=
while ((i < 200)); do
  i=$((i + 1))
  if ! err=$(k create configmap "big-$i" --from-file=blob="$WORK/blob" 2>&1 >/dev/null); then
    break
  fi
  echo "big-$i" >>"$WORK/full-acked"
done
expect_match "a write on a full disk fails with the reason" "disk is full" "$err"
check "reads still work on a full disk" k get configmap big-1 -o name
expect_eq "the failed write left nothing" "" "$(k get configmap "big-$i" -o name 2>/dev/null)"
rm -f "$DISK/ballast"
check "writes work again once space is back" k create configmap after-full --from-literal=k=v
acked=$(wc -l <"$WORK/full-acked")
check "minik stop (full)" "$MINIK" stop --profile full
du -sh "$MINIK_HOME/profiles/full/store" | sed 's/^/        /'; df -h "$DISK" | tail -n1 | sed 's/^/        /'
check "minik start (full)" "$MINIK" start --profile full
expect_eq "every acknowledged write is there after restart ($acked)" "$acked" \
  "$(k get configmap -o name | grep -c '^configmap/big-')"
check "delete profile full" "$MINIK" delete --profile full
umount "$DISK"

# --- nothing left behind ---------------------------------------------------------------------
retry 10 diff "$WORK/before" <(snap)
check "no residue on the host after delete" diff "$WORK/before" <(snap)
