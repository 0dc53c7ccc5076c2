#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: `scripts/pg.sh start` prints its URL, `scripts/pg.sh stop`.
set -euo pipefail
DIR=${TIMBRE_PG_DIR:-/tmp/timbre-test-pg}
PORT=${TIMBRE_PG_PORT:-55432}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "${1:-start}" in
  start)
    if [ ! -f "$DIR/PG_VERSION" ]; then
      mkdir -p "$DIR"
      [ "$(id -u)" -eq 0 ] && chown postgres "$DIR"
      as_pg "$PGBIN/initdb" -D "$DIR" -A trust -U postgres -E UTF8 >/dev/null
    fi
    if ! as_pg "$PGBIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
      as_pg "$PGBIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w start \
        -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >/dev/null
    fi
    echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
    ;;
  status)
    as_pg "$PGBIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1
    ;;
  stop)
    as_pg "$PGBIN/pg_ctl" -D "$DIR" -m fast -w stop >/dev/null 2>&1 || true
    ;;
esac
