#!/bin/sh
# mariadb:10.11 image entrypoint (scripts/build-images), after the well-known public image.
# With the default command "mariadbd" (or "mysqld", or "-..." server flags):
#  - on first start (no /var/lib/mysql/mysql) it initialises the data directory with
#    mariadb-install-db, starts a temporary server on the socket only (no networking), sets
#    the root password (MARIADB_ROOT_PASSWORD or MYSQL_ROOT_PASSWORD; or
#    MARIADB_ALLOW_EMPTY_ROOT_PASSWORD / MYSQL_ALLOW_EMPTY_PASSWORD, or
#    MARIADB_RANDOM_ROOT_PASSWORD / MYSQL_RANDOM_ROOT_PASSWORD) for root@localhost and root@%
#    (MARIADB_ROOT_HOST), creates MARIADB_DATABASE / MYSQL_DATABASE and the user
#    MARIADB_USER / MYSQL_USER with MARIADB_PASSWORD / MYSQL_PASSWORD (all privileges on that
#    database), runs /docker-entrypoint-initdb.d/*.sh, *.sql, *.sql.gz, and stops the server;
#  - then replaces itself with mariadbd in the foreground (PID 1, user mysql from the config,
#    0.0.0.0:3306): SIGTERM makes it shut down cleanly and exit 0.
# Any variable X may instead be given as X_FILE, a file holding the value. Any other command
# runs as given. Exits 1 with a message when no root password option is set on first start.
set -eu

log() { echo "$(date -u '+%Y-%m-%d %H:%M:%S') 0 [Note] [Entrypoint]: $*" >&2; }
die() { echo "$(date -u '+%Y-%m-%d %H:%M:%S') 0 [ERROR] [Entrypoint]: $*" >&2; exit 1; }

# env_first VAR NAME...: the first of NAME / NAME_FILE set, into VAR ("" if none).
env_first() {
  target=$1; shift
  for name in "$@"; do
    eval "v=\${$name:-}; f=\${${name}_FILE:-}"
    if [ -n "$f" ]; then [ -r "$f" ] || die "$name""_FILE: cannot read $f"; v=$(cat "$f"); fi
    if [ -n "$v" ]; then eval "$target=\$v"; return 0; fi
  done
  eval "$target="
}
# SQL string literal contents: backslash and quote escaped.
sql_str() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g"; }
# SQL identifier contents: backquote doubled.
sql_ident() { printf '%s' "$1" | sed -e 's/`/``/g'; }

if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then set -- mariadbd "$@"; fi
case $1 in mariadbd|mysqld) ;; *) exec "$@" ;; esac

datadir=/var/lib/mysql
socket=/run/mysqld/mysqld.sock
mkdir -p /run/mysqld "$datadir"
chown mysql:mysql /run/mysqld
# A fresh volume is owned by root; the server runs as mysql.
if [ "$(stat -c %U "$datadir")" != mysql ]; then chown -R mysql:mysql "$datadir"; fi

if [ ! -d "$datadir/mysql" ]; then
  env_first root_password MARIADB_ROOT_PASSWORD MYSQL_ROOT_PASSWORD
  env_first allow_empty MARIADB_ALLOW_EMPTY_ROOT_PASSWORD MYSQL_ALLOW_EMPTY_PASSWORD
  env_first random_root MARIADB_RANDOM_ROOT_PASSWORD MYSQL_RANDOM_ROOT_PASSWORD
  env_first database MARIADB_DATABASE MYSQL_DATABASE
  env_first user MARIADB_USER MYSQL_USER
  env_first password MARIADB_PASSWORD MYSQL_PASSWORD
  env_first root_host MARIADB_ROOT_HOST MYSQL_ROOT_HOST
  root_host=${root_host:-%}
  if [ -z "$root_password" ] && [ -z "$allow_empty" ] && [ -z "$random_root" ]; then
    die "Database is uninitialized and password option is not specified
	You need to specify one of MARIADB_ROOT_PASSWORD, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD and MARIADB_RANDOM_ROOT_PASSWORD"
  fi
  if [ -n "$user" ] && [ "$user" = root ]; then die "MARIADB_USER=root: use MARIADB_ROOT_PASSWORD for root"; fi
  if [ -n "$user" ] && [ -z "$password" ]; then die "MARIADB_USER is set but MARIADB_PASSWORD is not"; fi
  if [ -n "$random_root" ]; then
    root_password=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
    log "GENERATED ROOT PASSWORD: $root_password"
  fi

  log "Initializing database files in $datadir"
  # Files are created in the data directory only; a partial one is removed so the next
  # start tries again instead of serving a broken database.
  if ! mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db \
      --auth-root-authentication-method=normal --cross-bootstrap --skip-log-bin \
      --default-time-zone=SYSTEM --loose-innodb_buffer_pool_load_at_startup=0 \
      --loose-innodb_buffer_pool_dump_at_shutdown=0 >/tmp/install-db.log 2>&1; then
    cat /tmp/install-db.log >&2
    rm -rf "$datadir/mysql"
    die "mariadb-install-db failed"
  fi
  log "Database files initialized"

  log "Starting temporary server"
  "$@" --skip-networking --socket="$socket" --wsrep-on=OFF --skip-slave-start \
    --loose-innodb_buffer_pool_load_at_startup=0 --loose-innodb_buffer_pool_dump_at_shutdown=0 &
  temp_pid=$!
  tries=60
  until mariadb --protocol=socket --socket="$socket" -uroot -e 'SELECT 1' >/dev/null 2>&1; do
    kill -0 "$temp_pid" 2>/dev/null || die "temporary server failed to start"
    tries=$((tries - 1)); [ "$tries" -gt 0 ] || die "temporary server did not answer in 30 s"
    sleep 0.5
  done
  log "Temporary server started"

  rp=$(sql_str "$root_password"); rh=$(sql_str "$root_host")
  {
    echo "SET @@SESSION.SQL_LOG_BIN=0;"
    echo "DROP USER IF EXISTS root@'127.0.0.1', root@'::1';"
    echo "EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@\\'', @@hostname,'\\'');"
    echo "DELETE FROM mysql.global_priv WHERE User='';"
    echo "SET PASSWORD FOR 'root'@'localhost' = PASSWORD('$rp');"
    if [ "$root_host" != localhost ]; then
      echo "CREATE USER 'root'@'$rh' IDENTIFIED BY '$rp';"
      echo "GRANT ALL ON *.* TO 'root'@'$rh' WITH GRANT OPTION;"
      echo "GRANT PROXY ON ''@'%' TO 'root'@'$rh' WITH GRANT OPTION;"
    fi
    if [ -n "$database" ]; then
      log "Creating database $database"
      echo "CREATE DATABASE IF NOT EXISTS \`$(sql_ident "$database")\`;"
    fi
    if [ -n "$user" ]; then
      log "Creating user $user"
      echo "CREATE USER '$(sql_str "$user")'@'%' IDENTIFIED BY '$(sql_str "$password")';"
      if [ -n "$database" ]; then
        log "Giving user $user access to schema $database"
        echo "GRANT ALL ON \`$(sql_ident "$database" | sed 's/_/\\_/g')\`.* TO '$(sql_str "$user")'@'%';"
      fi
    fi
    echo "FLUSH PRIVILEGES;"
  } | mariadb --protocol=socket --socket="$socket" -uroot --database=mysql ||
    { kill "$temp_pid"; die "setting up users failed"; }

  export MYSQL_PWD="$root_password"
  for f in /docker-entrypoint-initdb.d/*; do
    [ -e "$f" ] || continue
    case $f in
      *.sh) log "$0: running $f"; . "$f" ;;
      *.sql) log "$0: running $f"; mariadb --socket="$socket" -uroot ${database:+"--database=$database"} <"$f" ;;
      *.sql.gz) log "$0: running $f"; gzip -dc "$f" | mariadb --socket="$socket" -uroot ${database:+"--database=$database"} ;;
      *) log "$0: ignoring $f" ;;
    esac
  done
  unset MYSQL_PWD

  log "Stopping temporary server"
  kill -TERM "$temp_pid"
  wait "$temp_pid" || die "temporary server did not stop cleanly"
  log "Temporary server stopped"
  log "MariaDB init process done. Ready for start up."
fi

exec "$@"
