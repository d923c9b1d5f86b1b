#!/usr/bin/env bash
# Starts a private PostgreSQL for the tests (idempotent) and writes EXITKIT_TEST_POSTGRES to the state's env file.
# PostgreSQL refuses to run as root, so the server runs as the postgres user, on a private port and data folder.
set -euo pipefail
state="${1:-/tmp}"
port="${EXITKIT_PG_PORT:-55433}"
data="/tmp/exitkit-pg-$port"
bin=""
for candidate in "$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent)")" /usr/lib/postgresql/*/bin; do
  if [ -x "$candidate/pg_ctl" ] && [ -x "$candidate/initdb" ]; then bin="$candidate"; break; fi
done
if [ -z "$bin" ]; then
  echo "PostgreSQL not found: installing the Debian package"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
if [ ! -f "$data/PG_VERSION" ]; then
  mkdir -p "$data" && chown postgres "$data" 2>/dev/null || true
  as_postgres "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >/dev/null
  cat > "$data/pg_hba.conf" <<HBA
local all all trust
host all exitkit_password 127.0.0.1/32 scram-sha-256
host all all 127.0.0.1/32 trust
HBA
fi
if ! as_postgres "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  as_postgres "$bin/pg_ctl" -D "$data" -l "$data/server.log" -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" -w start >/dev/null
fi
psql_() { as_postgres psql -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 -qtAc "$1"; }
psql_ "SELECT 1 FROM pg_roles WHERE rolname='exitkit_password'" | grep -q 1 || psql_ "CREATE ROLE exitkit_password LOGIN PASSWORD 'right-password-for-tests' SUPERUSER"
echo "EXITKIT_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres'" >> "$state/env"
echo "EXITKIT_TEST_POSTGRES_PASSWORD_USER=exitkit_password" >> "$state/env"
echo "PostgreSQL ready on 127.0.0.1:$port ($("$bin/postgres" --version))"
