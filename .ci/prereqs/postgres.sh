#!/usr/bin/env bash
# A PostgreSQL server on 127.0.0.1 for @sbx/store's PostgreSQL dialect tests: installs Debian's postgresql
# when initdb/pg_ctl are missing, starts a cluster of its own as the postgres user (it refuses root) with
# trust auth for loopback, and creates the test database. Tests read SBX_TEST_PG_URL, default
# postgres://postgres@127.0.0.1:5432/sbx_test. Exits non-zero when the server never answers.
set -euo pipefail
prereqs=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PGPORT="${SBX_TEST_PG_PORT:-5432}"
PGDATA="${SBX_TEST_PGDATA:-/tmp/sbx-pg-data}"
PGLOG="${SBX_TEST_PGLOG:-/tmp/sbx-pg.log}"
DB=sbx_test

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

find_bin() {
  command -v "$1" 2>/dev/null || ls /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -n 1
}

if [ -z "$(find_bin initdb)" ] || [ -z "$(find_bin pg_ctl)" ]; then
  echo "installing postgresql"
  bash "$prereqs/lib/apt-update.sh"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
INITDB=$(find_bin initdb)
PG_CTL=$(find_bin pg_ctl)
PSQL=$(find_bin psql)
PG_ISREADY=$(find_bin pg_isready)

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else as_root runuser -u postgres -- "$@"; fi
}

if "$PG_ISREADY" -h 127.0.0.1 -p "$PGPORT" -q 2>/dev/null; then
  echo "PostgreSQL answers on 127.0.0.1:${PGPORT}"
else
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    as_root mkdir -p "$PGDATA"
    as_root chown postgres: "$PGDATA"
    as_postgres "$INITDB" -D "$PGDATA" -U postgres --auth=trust --encoding=UTF8 --no-locale >/dev/null
  fi
  as_root touch "$PGLOG"
  as_root chown postgres: "$PGLOG"
  # fsync off: a test cluster, thrown away with the machine.
  as_postgres "$PG_CTL" -D "$PGDATA" -l "$PGLOG" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p ${PGPORT} -c fsync=off -c max_connections=200 -k /tmp" start >/dev/null
fi
for _ in $(seq 1 60); do
  "$PG_ISREADY" -h 127.0.0.1 -p "$PGPORT" -q && break
  sleep 1
done
if ! "$PG_ISREADY" -h 127.0.0.1 -p "$PGPORT" -q; then
  echo "PostgreSQL did not answer on 127.0.0.1:${PGPORT}; last lines of ${PGLOG}:" >&2
  tail -n 30 "$PGLOG" >&2 2>/dev/null || true
  exit 1
fi
if [ "$("$PSQL" -h 127.0.0.1 -p "$PGPORT" -U postgres -tAc "select 1 from pg_database where datname = '${DB}'")" != 1 ]; then
  "$PSQL" -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "create database ${DB}"
fi
"$PSQL" -h 127.0.0.1 -p "$PGPORT" -U postgres -d "$DB" -tAc 'select version()'
