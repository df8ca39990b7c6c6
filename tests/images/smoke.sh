#!/usr/bin/env bash
# tests/images/smoke.sh [OUTDIR] — smoke test of scripts/build-images without a cluster.
# Builds the images into OUTDIR (default /tmp/minik-images; reused when up to date), checks the
# tarballs (tags, shared base layer, distinct image IDs), unpacks each image's layers into a
# temporary rootfs and runs the entrypoints chrooted inside `unshare --mount --pid --fork --net`:
# a new network namespace with only loopback, so nothing can leave the machine. Checks:
#   mariadb: refuses to initialise without a root password option; initialises with one;
#   root and the app user log in over TCP and the socket; the app user owns its database;
#   mysqldump works; SIGTERM ends it cleanly (exit 0) within 15 s; a restart on the same data
#   directory skips initialisation and keeps the data.
#   wordpress (against that mariadb, DB host given as host:port): Apache answers
#   GET /wp-admin/install.php?step=1 with 200 and a page containing "WordPress"; the install
#   POST works and the home page shows the title; logs reach stdout/stderr; tar and sleep exist;
#   SIGTERM stops it.
# Mounts and processes live in the namespaces and vanish with them; the rootfs is removed on
# exit. With MINIK_BIN=path/to/minik it also loads the tarballs with `minik image load` into a
# throwaway MINIK_HOME (no cluster is started).
# Needs root, unshare, chroot, ip, curl, python3. Prints "PASS n/n", or FAIL lines and exits 1.
set -euo pipefail
root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:-/tmp/minik-images}

if [[ ${SMOKE_INSIDE:-} != 1 ]]; then
  [[ $(id -u) == 0 ]] || { echo "smoke.sh: needs root" >&2; exit 2; }
  "$root_dir/scripts/build-images" "$out" | sed 's/^/  /'
  work=$(mktemp -d /tmp/minik-images-smoke.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  pass=0 fail=0
  check() { local what=$1; shift; if "$@"; then pass=$((pass + 1)); else echo "FAIL: $what"; fail=$((fail + 1)); fi; }

  # unpack IMAGE.tar TAG ROOTFS: checks the tag and extracts the layers in order.
  unpack() {
    local tar=$1 tag=$2 rootfs=$3 img=$work/img-$(basename "$1" .tar)
    mkdir -p "$img" "$rootfs"
    tar -xf "$tar" -C "$img"
    python3 - "$img" "$tag" >"$img/layers" <<'EOF'
import json, sys
img, tag = sys.argv[1], sys.argv[2]
m = json.load(open(f"{img}/manifest.json"))
assert len(m) == 1 and m[0]["RepoTags"] == [tag], m
cfg = json.load(open(f"{img}/{m[0]['Config']}"))
assert len(cfg["rootfs"]["diff_ids"]) == len(m[0]["Layers"])
print(m[0]["Config"].split(".")[0])
for layer in m[0]["Layers"]:
    print(layer)
EOF
    tail -n +2 "$img/layers" | while read -r layer; do tar --numeric-owner -xpf "$img/$layer" -C "$rootfs"; done
  }
  unpack "$out/mariadb.tar" mariadb:10.11 "$work/mariadb"
  unpack "$out/wordpress.tar" wordpress:6.1 "$work/wordpress"
  unpack "$out/wordpress-next.tar" wordpress:6.1-r2 "$work/next"
  id_of() { head -n 1 "$work/img-$1/layers"; }
  layers_of() { tail -n +2 "$work/img-$1/layers" | xargs; }
  check "wordpress and wordpress-next have different image IDs" [ "$(id_of wordpress)" != "$(id_of wordpress-next)" ]
  check "wordpress and wordpress-next have the same layers" [ "$(layers_of wordpress)" == "$(layers_of wordpress-next)" ]
  check "mariadb and wordpress share the base layer" \
    [ "$(layers_of mariadb | cut -d' ' -f1)" == "$(layers_of wordpress | cut -d' ' -f1)" ]
  for t in "mariadb tar" "mariadb mysql" "mariadb mysqldump" "mariadb sh" "wordpress tar" "wordpress sleep" "wordpress sh"; do
    set -- $t
    check "$2 in $1" test -x "$work/$1/usr/bin/$2"
  done

  # Optional: `minik image load` of the three tarballs into a throwaway MINIK_HOME (no cluster).
  if [[ -n ${MINIK_BIN:-} ]]; then
    mkdir -p "$work/minik-home/profiles/smoke"
    for t in mariadb wordpress wordpress-next; do
      check "minik image load $t.tar" sh -c "MINIK_HOME='$work/minik-home' '$MINIK_BIN' image load -p smoke '$out/$t.tar' >/dev/null"
    done
    listed() {
      local got
      got=$(MINIK_HOME=$work/minik-home "$MINIK_BIN" image ls -p smoke | awk 'NR > 1 {print $1 ":" $2}' | sort | xargs)
      [[ $got == "mariadb:10.11 wordpress:6.1 wordpress:6.1-r2" ]]
    }
    check "minik image ls lists the three tags" listed
  fi

  echo "  running the entrypoints in a private network namespace (loopback only)"
  set +e
  SMOKE_INSIDE=1 SMOKE_WORK=$work timeout 600 unshare --mount --pid --fork --net \
    "$root_dir/tests/images/smoke.sh" "$out" >"$work/inside.log" 2>&1
  rc=$?
  set -e
  inner_pass=$(grep -c '^ok: ' "$work/inside.log" || true)
  inner_fail=$(grep -c '^FAIL: ' "$work/inside.log" || true)
  pass=$((pass + inner_pass)) fail=$((fail + inner_fail))
  grep -E '^(ok|FAIL|info): ' "$work/inside.log" | sed 's/^/  /' || true
  if ((rc != 0 || inner_fail > 0)); then
    ((rc == 0)) || { echo "FAIL: inner test exited $rc"; fail=$((fail + 1)); }
    echo "--- inner log (last 60 lines)"; tail -n 60 "$work/inside.log"
  fi
  if ((fail)); then echo "FAIL $fail of $((pass + fail))"; exit 1; fi
  echo "PASS $pass/$pass"
  exit 0
fi

# ---- inside the namespaces: PID 1 of a new PID namespace, private mounts, loopback only ----
set +e  # every step is a check; a failing one is reported, not fatal
work=$SMOKE_WORK
mdb=$work/mariadb wp=$work/wordpress
ok() { echo "ok: $1"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else echo "FAIL: $what"; fi; }
ip link set lo up
for r in "$mdb" "$wp"; do
  mount -t proc proc "$r/proc"
  mount --rbind /dev "$r/dev"
  mount -t tmpfs tmpfs "$r/run"; mkdir -p "$r/run/lock"; chmod 1777 "$r/run/lock"
done
path=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
root_pw="r00t'pa\"ss" db_pw="wp-$RANDOM-pass"
in_mdb() { chroot "$mdb" env -i "$path" "$@"; }
mdb_env=(MARIADB_ROOT_PASSWORD="$root_pw" MYSQL_DATABASE=wordpress MYSQL_USER=wordpress MYSQL_PASSWORD="$db_pw")

# No password option on an empty data directory: a clear error, nothing initialised.
in_mdb /usr/local/bin/docker-entrypoint.sh mariadbd >"$work/nopw.log" 2>&1
rc=$?
check "mariadb without a root password exits 1" [ "$rc" == 1 ]
check "mariadb without a root password says why" grep -q 'password option is not specified' "$work/nopw.log"
check "mariadb without a root password leaves the datadir empty" [ ! -e "$mdb/var/lib/mysql/mysql" ]

start_mdb() {
  # chroot, env, the entrypoint and mariadbd exec one another: the job's PID is the server's.
  chroot "$mdb" env -i "$path" "${mdb_env[@]}" /usr/local/bin/docker-entrypoint.sh mariadbd >>"$work/mariadb.log" 2>&1 &
  mdb_pid=$!
}
root_sql() { in_mdb mysql -h127.0.0.1 -uroot -p"$root_pw" -N -e "$1" 2>/dev/null; }
mdb_up() { [[ $(root_sql 'select 1') == 1 ]]; }
wait_for() { local n=$1; shift; for ((i = 0; i < n * 2; i++)); do "$@" && return 0; sleep 0.5; done; return 1; }
stop_pid() {  # stop_pid PID SECONDS: TERM, then the exit status (124 when it took too long)
  kill -TERM "$1"
  for ((i = 0; i < $2 * 10; i++)); do kill -0 "$1" 2>/dev/null || { wait "$1"; return $?; }; sleep 0.1; done
  kill -KILL "$1"; wait "$1"; return 124
}

start_mdb
check "mariadb initialises and answers root over TCP" wait_for 90 mdb_up
check "root over the socket" test "$(in_mdb mysql -uroot -p"$root_pw" -N -e 'select 2' 2>/dev/null)" == 2
check "listening on 0.0.0.0:3306" test "$(root_sql 'select @@bind_address, @@port' | tr '\t' ' ')" == "0.0.0.0 3306"
mdb_uid() {  # the uid of mariadbd, from the new PID namespace's /proc
  local p; for p in "$mdb"/proc/[0-9]*; do [[ $(cat "$p/comm" 2>/dev/null) == mariadbd ]] && { stat -c %u "$p"; return; }; done
}
check "mariadbd runs as user mysql (999)" test "$(mdb_uid)" == 999
in_mdb_p() { chroot "$mdb" env -i "$path" P="$db_pw" "$@"; }
app_sql() { in_mdb_p Q="$1" sh -c 'mysql -N -uwordpress -p"$P" wordpress -e "$Q"' 2>&1; }
check "app user creates a table in its database" test -z "$(app_sql "create table smoke (id int primary key, v varchar(20)); insert into smoke values (1, 'kept')")"
check "app user reads it back" test "$(app_sql 'select v from smoke where id = 1')" == kept
check "app user has no access to the mysql schema" sh -c "! chroot '$mdb' env -i '$path' mysql -uwordpress -p'$db_pw' mysql -e 'select 1' >/dev/null 2>&1"
in_mdb_p sh -c 'mysqldump -uwordpress -p"$P" wordpress' >"$work/dump.sql" 2>"$work/dump.err"
check "mysqldump works" grep -q 'CREATE TABLE `smoke`' "$work/dump.sql"
check "restore from the dump" test -z "$(app_sql 'drop table smoke')$(in_mdb_p sh -c 'mysql -uwordpress -p"$P" wordpress' <"$work/dump.sql" 2>&1)"
check "restored row" test "$(app_sql 'select v from smoke where id = 1')" == kept
check "tar works in mariadb" sh -c "printf x >'$mdb/tmp/f' && chroot '$mdb' tar -C /tmp -cf - f | tar -tf - | grep -qx f"

# WordPress against it (host:port form), in the same network namespace.
wp_env=(WORDPRESS_DB_HOST=127.0.0.1:3306 WORDPRESS_DB_USER=wordpress WORDPRESS_DB_PASSWORD="$db_pw"
        WORDPRESS_DB_NAME=wordpress WORDPRESS_AUTH_KEY=k1 WORDPRESS_SECURE_AUTH_KEY=k2 WORDPRESS_LOGGED_IN_KEY=k3
        WORDPRESS_NONCE_KEY=k4 WORDPRESS_AUTH_SALT=s1 WORDPRESS_SECURE_AUTH_SALT=s2 WORDPRESS_LOGGED_IN_SALT=s3
        WORDPRESS_NONCE_SALT=s4 APACHE_CONFDIR=/etc/apache2)
chroot "$wp" env -i "$path" "${wp_env[@]}" /usr/local/bin/docker-entrypoint.sh \
  >"$work/wp.out" 2>"$work/wp.err" &
wp_pid=$!
install_page() { curl -s -m 10 -o "$work/install.html" -w '%{http_code}' 'http://127.0.0.1/wp-admin/install.php?step=1' >"$work/install.code"; [[ $(cat "$work/install.code") == 200 ]]; }
check "GET /wp-admin/install.php?step=1 answers 200" wait_for 30 install_page
check "install page contains WordPress" grep -q WordPress "$work/install.html"
code=$(curl -s -m 60 -o "$work/step2.html" -w '%{http_code}' -X POST 'http://127.0.0.1/wp-admin/install.php?step=2' \
  --data-urlencode 'weblog_title=Smoke Site' --data-urlencode user_name=admin \
  --data-urlencode admin_password=Adm1n-pass-word --data-urlencode admin_password2=Adm1n-pass-word \
  --data-urlencode pw_weak=1 --data-urlencode admin_email=admin@example.com --data-urlencode blog_public=0)
check "install POST answers 200" test "$code" == 200
check "home page shows the title" sh -c "curl -sL -m 10 http://127.0.0.1/ | grep -q 'Smoke Site'"
check "title stored in MariaDB" test "$(app_sql "select option_value from wp_options where option_name='blogname'")" == "Smoke Site"
check "wp-login.php answers 200" test "$(curl -s -m 10 -o /dev/null -w '%{http_code}' http://127.0.0.1/wp-login.php)" == 200
check "access log on stdout" grep -q '"GET /wp-login.php' "$work/wp.out"
check "Apache notices on stderr" grep -q 'resuming normal operations' "$work/wp.err"
check "sleep works in wordpress" chroot "$wp" sleep 0.1
check "tar works in wordpress" sh -c "chroot '$wp' tar -C /etc -cf - hostname passwd 2>/dev/null | tar -t >/dev/null"
step1_code() { curl -s -m 10 -o /dev/null -w '%{http_code}' 'http://127.0.0.1/wp-admin/install.php?step=1'; }
check "install.php?step=1 still answers 200 after the install" test "$(step1_code)" == 200
fast_step1() {  # the readiness probe's timeout is 1 s: best of three
  local t
  for _ in 1 2 3; do
    t=$(curl -s -m 5 -o /dev/null -w '%{time_total}' 'http://127.0.0.1/wp-admin/install.php?step=1')
    echo "info: install.php?step=1 took ${t}s"
    awk -v t="$t" 'BEGIN { exit !(t < 1.0) }' && return 0
  done
  return 1
}
check "install.php?step=1 answers within the probe's 1 s" fast_step1
check "no request left the namespace: WP_HTTP_BLOCK_EXTERNAL is on" \
  test "$(chroot "$wp" env -i "$path" php -r 'include "/etc/wordpress/config-default.php"; var_export(WP_HTTP_BLOCK_EXTERNAL && AUTOMATIC_UPDATER_DISABLED && !WP_AUTO_UPDATE_CORE && DISABLE_WP_CRON);')" == true
check "the offline defaults are overridable" \
  test "$(chroot "$wp" env -i "$path" WORDPRESS_HTTP_BLOCK_EXTERNAL=false php -r 'include "/etc/wordpress/config-default.php"; var_export(WP_HTTP_BLOCK_EXTERNAL);')" == false

stop_pid "$mdb_pid" 15; rc=$?
check "mariadb exits 0 on SIGTERM (status $rc)" [ "$rc" == 0 ]
check "mariadb shut down cleanly" sh -c "tail -n 3 '$work/mariadb.log' | grep -q 'Shutdown complete'"
check "install.php?step=1 answers 500 without the database" test "$(step1_code)" == 500

stop_pid "$wp_pid" 15; rc=$?
check "wordpress exits 0 on SIGTERM (status $rc)" [ "$rc" == 0 ]
: >"$work/mariadb.log"
start_mdb
check "mariadb restarts on its data directory" wait_for 60 mdb_up
check "restart skipped initialisation" sh -c "! grep -q 'Initializing database' '$work/mariadb.log'"
check "data kept across the restart" test "$(app_sql 'select v from smoke where id = 1')" == kept
stop_pid "$mdb_pid" 15; rc=$?
check "mariadb exits 0 on SIGTERM again (status $rc)" [ "$rc" == 0 ]
echo "--- mariadb log"; cat "$work/mariadb.log"; echo "--- wordpress stderr"; tail -n 20 "$work/wp.err"
