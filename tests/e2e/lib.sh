# Helpers for the e2e tests: each test starts its own cluster in a private MINIK_HOME and
# KUBECONFIG, drives it with the real kubectl, and deletes it on exit, pass or fail.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MINIK=${MINIK:-$ROOT/build/minik}
WORK=$(mktemp -d /tmp/minik-e2e.XXXXXX)
export MINIK_HOME=$WORK/home KUBECONFIG=$WORK/kubeconfig
PROFILE=${PROFILE:-e2e}
PASSED=0 FAILED=0

k() { kubectl "$@"; }
ok() { PASSED=$((PASSED + 1)); printf '  ok    %s\n' "$1"; }
bad() { FAILED=$((FAILED + 1)); printf '  FAIL  %s\n        %s\n' "$1" "${2:0:400}"; }
check() { local n=$1; shift; local out; if out=$("$@" 2>&1); then ok "$n"; else bad "$n" "$out"; fi; }
check_fails() { local n=$1; shift; local out; if out=$("$@" 2>&1); then bad "$n" "unexpected success: $out"; else ok "$n"; fi; }
expect_eq() { if [[ "$2" == "$3" ]]; then ok "$1"; else bad "$1" "expected [$2] got [$3]"; fi; }
expect_match() { if [[ "$3" =~ $2 ]]; then ok "$1"; else bad "$1" "expected /$2/ in [$3]"; fi; }
retry() { local until=$((SECONDS + $1)); shift; while ! "$@" >/dev/null 2>&1; do ((SECONDS >= until)) && { "$@"; return; }; sleep 0.1; done; }

cleanup() {
  "$MINIK" delete --profile "$PROFILE" >/dev/null 2>&1
  rm -rf "$WORK"
  echo "$PASSED passed, $FAILED failed"
  ((FAILED == 0))
}
trap 'cleanup; exit $?' EXIT
