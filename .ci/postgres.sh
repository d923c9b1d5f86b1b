#!/usr/bin/env bash
# Starts (idempotently) a private PostgreSQL server for the tests of the SQL connector and prints the
# connection strings as shell exports:   eval "$(bash .ci/postgres.sh)"
#   EXITKIT_TEST_POSTGRES   trust-auth superuser `exitkit` on 127.0.0.1 (tests create their own databases)
# A second role, `exitkit_pw`, can only log in with a password (scram-sha-256), for the wrong-credentials test.
# PostgreSQL refuses to run as root, so the server runs as the `postgres` user, with its data under /tmp.
set -euo pipefail

data="${EXITKIT_PG_DATA:-/tmp/exitkit-pg}"
port="${EXITKIT_PG_PORT:-55432}"
log="${data}.log"

bin=""
if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
  bin="$(dirname "$(command -v pg_ctl)")"
else
  for candidate in /usr/lib/postgresql/*/bin; do
    [ -x "$candidate/pg_ctl" ] && bin="$candidate"
  done
  if [ -z "$bin" ]; then
    echo "postgres.sh: installing postgresql (initdb/pg_ctl not found)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
    for candidate in /usr/lib/postgresql/*/bin; do
      [ -x "$candidate/pg_ctl" ] && bin="$candidate"
    done
  fi
fi
[ -n "$bin" ] || { echo "postgres.sh: no PostgreSQL binaries found" >&2; exit 1; }

as_postgres() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

if [ "$(id -u)" = "0" ] && ! id postgres >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
fi

if [ ! -s "$data/PG_VERSION" ]; then
  mkdir -p "$data"
  [ "$(id -u)" = "0" ] && chown postgres: "$data"
  chmod 700 "$data"
  as_postgres "$bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=reject -E UTF8 --locale=C >&2
  cat > "$data/pg_hba.conf" <<HBA
local   all  all                      trust
host    all  exitkit     127.0.0.1/32 trust
host    all  exitkit_pw  127.0.0.1/32 scram-sha-256
host    all  postgres    127.0.0.1/32 trust
HBA
  cat >> "$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$data'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
password_encryption = 'scram-sha-256'
CONF
fi

if ! as_postgres "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  touch "$log"
  [ "$(id -u)" = "0" ] && chown postgres: "$log"
  as_postgres "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 start >&2
fi

psql_admin() { as_postgres psql -h "$data" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
if [ "$(psql_admin -c "SELECT count(*) FROM pg_roles WHERE rolname = 'exitkit'")" = "0" ]; then
  psql_admin -c "CREATE ROLE exitkit LOGIN SUPERUSER" >&2
fi
if [ "$(psql_admin -c "SELECT count(*) FROM pg_roles WHERE rolname = 'exitkit_pw'")" = "0" ]; then
  # A throwaway test password for a server that listens on 127.0.0.1 only; the tests log in with a wrong one.
  psql_admin -c "CREATE ROLE exitkit_pw LOGIN PASSWORD 'exitkit-test-only'" >&2
fi

echo "export EXITKIT_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=exitkit;Database=postgres'"
echo "export EXITKIT_TEST_POSTGRES_PASSWORD_USER='exitkit_pw'"
