#!/bin/sh
# wordpress:6.1 image entrypoint (scripts/build-images). With the default command
# "apache2-foreground" (or any "-..." Apache flags) it prepares the Apache runtime directories,
# fills in any of the eight WORDPRESS_*_KEY / *_SALT not set (random, per container), and
# replaces itself with Apache in the foreground: apache2 becomes PID 1, listens on port 80,
# logs to the container's stdout/stderr and stops on SIGTERM (at once) or SIGWINCH (gracefully).
# The configuration is /etc/wordpress/config-default.php, which reads the environment.
# Any other command runs as given (e.g. `sh`).
set -eu

if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then set -- apache2-foreground "$@"; fi
if [ "$1" != apache2-foreground ]; then exec "$@"; fi
shift

for key in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT LOGGED_IN_SALT NONCE_SALT; do
  eval "value=\${WORDPRESS_$key:-}"
  if [ -z "$value" ]; then
    value=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
    export "WORDPRESS_$key=$value"
    echo "docker-entrypoint.sh: WORDPRESS_$key not set: using a random value" >&2
  fi
done

: "${APACHE_CONFDIR:=/etc/apache2}"
export APACHE_CONFDIR
# shellcheck disable=SC1091
. "$APACHE_CONFDIR/envvars"
mkdir -p "$APACHE_RUN_DIR" "$APACHE_LOCK_DIR" "$APACHE_LOG_DIR"
chown "$APACHE_RUN_USER:$APACHE_RUN_GROUP" "$APACHE_LOCK_DIR"
# A pid file left by a killed container would make Apache refuse to start.
rm -f "$APACHE_PID_FILE"
exec apache2 -DFOREGROUND "$@"
