#!/usr/bin/env bash
# Writes secrets.env (database passwords, WordPress keys and salts, random) and a self-signed
# certificate for example.com (tls.crt, tls.key) beside this script, for `kubectl apply -k`.
# Existing files are kept, so a second run changes nothing.
set -euo pipefail
cd "$(dirname "$0")"
if [[ ! -s secrets.env ]]; then
  umask 077
  {
    echo "WORDPRESS_DB_PASSWORD=$(openssl rand -hex 16)"
    echo "MARIADB_ROOT_PASSWORD=$(openssl rand -hex 16)"
    for k in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT LOGGED_IN_SALT NONCE_SALT; do
      echo "WORDPRESS_$k=$(openssl rand -hex 32)"
    done
  } >secrets.env
  echo "wrote secrets.env"
fi
if [[ ! -s tls.crt || ! -s tls.key ]]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=example.com \
    -addext subjectAltName=DNS:example.com -keyout tls.key -out tls.crt 2>/dev/null
  echo "wrote tls.crt and tls.key (self-signed, example.com)"
fi
