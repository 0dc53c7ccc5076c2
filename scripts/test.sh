#!/usr/bin/env bash
# The whole test command: install what the tests need, lint, type-check, then run the suite on SQLite
# and again on PostgreSQL (a server this script starts unless TIMBRE_TEST_POSTGRES_URL is given).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
bash scripts/install.sh test
VENV=.venv
$VENV/bin/ruff check timbre tests bench migrations scripts
$VENV/bin/mypy
# Two workers: the machine has two cores. Each worker has its own database and job queue.
# loadgroup: tests marked with one xdist_group (the cluster topology's) run on the same worker.
if [ $# -eq 0 ]; then set -- -n "${TIMBRE_TEST_WORKERS:-2}" --dist loadgroup; fi
echo "== suite on SQLite"
TIMBRE_TEST_DB=sqlite $VENV/bin/pytest "$@"
echo "== suite on PostgreSQL"
started=""
if [ -z "${TIMBRE_TEST_POSTGRES_URL:-}" ]; then
  # stop the server at the end only if this run started it
  bash scripts/pg.sh status || started=1
  TIMBRE_TEST_POSTGRES_URL=$(bash scripts/pg.sh start)
fi
trap 'if [ -n "$started" ]; then bash scripts/pg.sh stop; fi' EXIT
TIMBRE_TEST_DB=postgres TIMBRE_TEST_POSTGRES_URL=$TIMBRE_TEST_POSTGRES_URL $VENV/bin/pytest "$@"
