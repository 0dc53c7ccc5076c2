#!/usr/bin/env bash
# The production topology on one machine, from the files in deploy/: PostgreSQL, Redis, nginx (Debian's
# packages), N `timbre serve` and M `timbre worker` processes. See docs/deploy.md.
#
#   scripts/cluster.sh start            # renders deploy/ into the run directory and starts everything
#   scripts/cluster.sh status           # one line per process: role, instance, pid, up/down
#   scripts/cluster.sh restart-api N    # rolling restart of API process N (1..): drain in nginx, SIGTERM, start, undrain
#   scripts/cluster.sh drain N | undrain N  # take API process N out of nginx's rotation (requests in flight finish) / back
#   scripts/cluster.sh restart-worker N [--kill]   # the unit's KillSignal (SIGINT: graceful), or kill -9; then start
#   scripts/cluster.sh env              # the path of the rendered environment file (`set -a; . FILE; set +a`)
#   scripts/cluster.sh stop
#
# Settings: TIMBRE_CLUSTER_DIR (run directory, default /tmp/timbre-cluster; its parents must be readable by the
# `postgres` user when run as root), TIMBRE_CLUSTER_PORT (nginx, default 58080; API processes on the next N ports,
# PostgreSQL on +90, Redis on +91), TIMBRE_CLUSTER_APIS (N, default 2), TIMBRE_CLUSTER_WORKERS (M, default 1),
# TIMBRE_CLUSTER_PG_DURABLE (1, default: PostgreSQL's default durability; 0: synchronous_commit=off for tests),
# TIMBRE_CLUSTER_PROFILE_LOCKS (a directory: the processes record lock hold times there, for bench/scale.py).
# The units' ExecStart and KillSignal and the nginx site are taken from deploy/ as they are; only hosts,
# ports and paths are rendered for the local run.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEPLOY=$ROOT/deploy
RUN=${TIMBRE_CLUSTER_DIR:-/tmp/timbre-cluster}
PORT=${TIMBRE_CLUSTER_PORT:-58080}
APIS=${TIMBRE_CLUSTER_APIS:-2}
WORKERS=${TIMBRE_CLUSTER_WORKERS:-1}
PG_PORT=$((PORT + 90))
REDIS_PORT=$((PORT + 91))
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
ENVFILE=$RUN/timbre.env

as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
die() { echo "cluster: $*" >&2; exit 1; }
alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
pid_of() { cat "$RUN/pids/$1" 2>/dev/null || true; }
api_port() { echo $((PORT + $1)); }

wait_http() {  # URL SECONDS: until it answers 200
  local deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}

exited() {  # gone, or a zombie nobody reaps yet (a container's init may not)
  ! alive "$1" || [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)" = Z ]
}

wait_gone() {  # PID SECONDS
  local deadline=$((SECONDS + $2))
  until exited "$1"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}

unit_value() {  # UNIT KEY: the (first) value of KEY= in deploy/systemd/UNIT
  sed -n "s/^$2=//p" "$DEPLOY/systemd/$1" | head -n 1
}

# -- rendering -------------------------------------------------------------------------------------------------
render_env() {
  local secret
  [ -f "$RUN/secret" ] || (umask 077; head -c 48 /dev/urandom | base64 | tr -d '\n/+=' > "$RUN/secret")
  secret=$(cat "$RUN/secret")
  # The example's lines, with this run's values; S3, SMTP, PAC and Banxico are left out (local files, test mode).
  awk -v db="postgresql+psycopg://timbre@127.0.0.1:$PG_PORT/timbre" -v redis="redis://127.0.0.1:$REDIS_PORT/0" \
      -v secret="$secret" -v data="$RUN/data" -v url="http://127.0.0.1:$PORT" '
    /^TIMBRE_DATABASE_URL=/ { print "TIMBRE_DATABASE_URL=" db; next }
    /^TIMBRE_REDIS_URL=/ { print "TIMBRE_REDIS_URL=" redis; next }
    /^TIMBRE_SECRET_KEY=/ { print "TIMBRE_SECRET_KEY=" secret; next }
    /^TIMBRE_STORAGE=/ { print "TIMBRE_STORAGE=local"; next }
    /^TIMBRE_DATA_DIR=/ { print "TIMBRE_DATA_DIR=" data; next }
    /^TIMBRE_PUBLIC_URL=/ { print "TIMBRE_PUBLIC_URL=" url; next }
    /^FORWARDED_ALLOW_IPS=/ { print "FORWARDED_ALLOW_IPS=127.0.0.1"; next }
    /^(TIMBRE_S3_|TIMBRE_SMTP_|TIMBRE_PAC|TIMBRE_BANXICO)/ { next }
    { print }' "$DEPLOY/timbre.env.example" > "$ENVFILE.tmp"
  # bench/scale.py's lock hold probe (timbre/kit/lockprobe.py): off unless asked for.
  [ -z "${TIMBRE_CLUSTER_PROFILE_LOCKS:-}" ] || echo "TIMBRE_PROFILE_LOCKS=$TIMBRE_CLUSTER_PROFILE_LOCKS" >> "$ENVFILE.tmp"
  chmod 600 "$ENVFILE.tmp" && mv "$ENVFILE.tmp" "$ENVFILE"
}

render_nginx() {  # the site with this run's upstream (ports listed in nginx/down are marked down), port and paths
  local n servers="" mark
  for n in $(seq 1 "$APIS"); do
    mark=""
    grep -qx "$(api_port "$n")" "$RUN/nginx/down" 2>/dev/null && mark=" down"
    servers+="    server 127.0.0.1:$(api_port "$n") max_fails=2 fail_timeout=5s$mark;\n"
  done
  awk -v servers="$servers" -v port="$PORT" -v logs="$RUN/nginx" '
    /^upstream timbre_api \{/ { print; printf "%s", servers; inup = 1; next }
    inup && /^    server / { next }
    /^\}/ { inup = 0 }
    /^    listen \[::\]:80;/ { next }
    /^    listen 80;/ { print "    listen 127.0.0.1:" port ";"; next }
    /^    server_name / { print "    server_name localhost;"; next }
    { gsub("/var/log/nginx/", logs "/"); print }' "$DEPLOY/nginx/timbre.conf" > "$RUN/nginx/timbre.conf.tmp"
  mv "$RUN/nginx/timbre.conf.tmp" "$RUN/nginx/timbre.conf"
  cat > "$RUN/nginx/nginx.conf" <<EOF
# Debian's /etc/nginx/nginx.conf in short, for a local run: the site is deploy/nginx/timbre.conf, rendered.
worker_processes ${TIMBRE_CLUSTER_NGINX_WORKERS:-1};
pid $RUN/nginx/nginx.pid;
error_log $RUN/nginx/error.log warn;
events { worker_connections 1024; }
http {
    client_body_temp_path $RUN/nginx/tmp/body;
    proxy_temp_path $RUN/nginx/tmp/proxy;
    fastcgi_temp_path $RUN/nginx/tmp/fastcgi;
    uwsgi_temp_path $RUN/nginx/tmp/uwsgi;
    scgi_temp_path $RUN/nginx/tmp/scgi;
    default_type application/octet-stream;
    include $RUN/nginx/timbre.conf;
}
EOF
}

nginx_cmd() { nginx -p "$RUN/nginx" -e "$RUN/nginx/error.log" -c "$RUN/nginx/nginx.conf" "$@"; }
nginx_workers() { pgrep -P "$(cat "$RUN/nginx/nginx.pid")" 2>/dev/null | sort || true; }

reload_nginx() {  # apply the rendered site; returns once the old worker processes (and their requests) are done
  local old pid deadline=$((SECONDS + 60))
  old=$(nginx_workers)
  render_nginx
  nginx_cmd -t -q
  nginx_cmd -s reload
  for pid in $old; do
    while alive "$pid" && [ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" != "Z" ]; do
      [ $SECONDS -lt $deadline ] || die "nginx worker $pid did not finish after the reload"
      sleep 0.1
    done
  done
}

# -- processes -------------------------------------------------------------------------------------------------
start_unit() {  # UNIT INSTANCE NAME: run the unit's ExecStart (with %i) under its EnvironmentFile, detached
  local command
  command=$(unit_value "$1" ExecStart | sed -e "s|/opt/timbre/.venv/bin/timbre|$ROOT/.venv/bin/timbre|" \
    -e "s|%i|$2|g" -e "s|--host 0.0.0.0|--host 127.0.0.1|")
  mkdir -p "$RUN/data"
  (cd "$RUN/data" && exec setsid env -i PATH="$PATH" HOME="$RUN/data" LANG=C.UTF-8 \
    bash -c "set -a; . '$ENVFILE'; set +a; exec $command" >> "$RUN/logs/$3.log" 2>&1 < /dev/null) &
  echo $! > "$RUN/pids/$3"
}

stop_pid() {  # NAME SIGNAL SECONDS
  local pid
  pid=$(pid_of "$1")
  exited "$pid" && return 0
  kill -s "$2" "$pid" 2>/dev/null || true
  wait_gone "$pid" "$3" || { kill -9 "$pid" 2>/dev/null || true; wait_gone "$pid" 5 || true; }
}

start_api() {
  start_unit timbre-api@.service "$(api_port "$1")" "api$1"
  wait_http "http://127.0.0.1:$(api_port "$1")/ready" 300 || die "API $1 did not become ready; see $RUN/logs/api$1.log"
}

start_worker() { start_unit timbre-worker@.service "$1" "worker$1"; }

start_postgres() {
  [ -n "$PGBIN" ] || die "PostgreSQL is not installed (bash scripts/system-deps.sh)"
  mkdir -p "$RUN/pg"
  [ "$(id -u)" -eq 0 ] && chown postgres "$RUN/pg"
  if [ ! -f "$RUN/pg/data/PG_VERSION" ]; then
    as_pg "$PGBIN/initdb" -D "$RUN/pg/data" -A trust -U postgres -E UTF8 > /dev/null
    {
      echo "include '$DEPLOY/postgresql/timbre.conf'"
      echo "# local run: a small machine"
      echo "shared_buffers = 128MB"
      echo "effective_cache_size = 1GB"
      echo "max_wal_size = 1GB"
      [ "${TIMBRE_CLUSTER_PG_DURABLE:-1}" = 1 ] || echo "synchronous_commit = off"
    } >> "$RUN/pg/data/postgresql.conf"
  fi
  as_pg "$PGBIN/pg_ctl" -D "$RUN/pg/data" -l "$RUN/pg/server.log" -w start \
    -o "-p $PG_PORT -k $RUN/pg -c listen_addresses=127.0.0.1" > /dev/null
  as_pg "$PGBIN/pg_ctl" -D "$RUN/pg/data" status | sed -n 's/.*PID: \([0-9]*\).*/\1/p' > "$RUN/pids/postgres"
  if ! as_pg psql -h "$RUN/pg" -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='timbre'" \
      | grep -q 1; then
    as_pg psql -q -h "$RUN/pg" -p "$PG_PORT" -U postgres -c "CREATE ROLE timbre LOGIN" \
      -c "CREATE DATABASE timbre OWNER timbre" > /dev/null
  fi
}

start_redis() {
  mkdir -p "$RUN/redis"
  redis-server "$DEPLOY/redis/timbre.conf" --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$RUN/redis" \
    --daemonize yes --pidfile "$RUN/redis/redis.pid" --logfile "$RUN/redis/redis.log"
  local deadline=$((SECONDS + 20))
  until redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; do
    [ $SECONDS -lt $deadline ] || die "Redis did not start; see $RUN/redis/redis.log"
    sleep 0.1
  done
  cp "$RUN/redis/redis.pid" "$RUN/pids/redis"
}

cmd_start() {
  command -v nginx > /dev/null || die "nginx is not installed (bash scripts/system-deps.sh)"
  command -v redis-server > /dev/null || die "redis-server is not installed (bash scripts/system-deps.sh)"
  [ -x "$ROOT/.venv/bin/timbre" ] || die "no .venv (bash scripts/install.sh)"
  mkdir -p "$RUN"/{pids,logs,data,nginx/tmp}
  chmod 755 "$RUN"
  touch "$RUN/nginx/down"
  render_env
  alive "$(pid_of postgres)" || start_postgres
  alive "$(pid_of redis)" || start_redis
  # Migrations once, before any API process starts (as for a rollout: docs/deploy.md).
  (cd "$RUN/data" && env -i PATH="$PATH" HOME="$RUN/data" bash -c \
    "set -a; . '$ENVFILE'; set +a; exec '$ROOT/.venv/bin/timbre' migrate" >> "$RUN/logs/migrate.log" 2>&1) \
    || die "timbre migrate failed; see $RUN/logs/migrate.log"
  local n
  for n in $(seq 1 "$APIS"); do alive "$(pid_of "api$n")" || start_api "$n"; done
  for n in $(seq 1 "$WORKERS"); do alive "$(pid_of "worker$n")" || start_worker "$n"; done
  : > "$RUN/nginx/down"
  render_nginx
  if [ -f "$RUN/nginx/nginx.pid" ] && alive "$(cat "$RUN/nginx/nginx.pid")"; then
    reload_nginx
  else
    nginx_cmd -t -q
    nginx_cmd
  fi
  cp "$RUN/nginx/nginx.pid" "$RUN/pids/nginx"
  wait_http "http://127.0.0.1:$PORT/ready" 30 || die "nginx does not reach the API; see $RUN/nginx/error.log"
  echo "http://127.0.0.1:$PORT"
}

cmd_drain() {  # nginx sends API process N nothing new; returns once the requests in flight are done
  [ -f "$RUN/pids/api$1" ] || die "no API process $1"
  grep -qx "$(api_port "$1")" "$RUN/nginx/down" || api_port "$1" >> "$RUN/nginx/down"
  reload_nginx
}

cmd_undrain() {  # back into rotation
  grep -vx "$(api_port "$1")" "$RUN/nginx/down" > "$RUN/nginx/down.tmp" || true
  mv "$RUN/nginx/down.tmp" "$RUN/nginx/down"
  reload_nginx
}

cmd_restart_api() {
  cmd_drain "$1"                                                      # 1. out of rotation, requests done
  stop_pid "api$1" "$(unit_value timbre-api@.service KillSignal)" 35  # 2. graceful stop (the unit's signal)
  start_api "$1"                                                      # 3. start, wait until /ready
  cmd_undrain "$1"                                                    # 4. back into rotation
}

cmd_restart_worker() {
  local n=$1 signal
  signal=$(unit_value timbre-worker@.service KillSignal)
  [ "${2:-}" = "--kill" ] && signal=KILL
  [ -f "$RUN/pids/worker$n" ] || die "no worker $n"
  stop_pid "worker$n" "$signal" 65
  start_worker "$n"
}

cmd_status() {
  local file name pid state
  for file in "$RUN"/pids/*; do
    [ -e "$file" ] || continue
    name=$(basename "$file")
    pid=$(cat "$file")
    state=down
    alive "$pid" && state=up
    echo "$name $pid $state"
  done
}

cmd_stop() {
  local n
  if [ -f "$RUN/nginx/nginx.pid" ] && alive "$(cat "$RUN/nginx/nginx.pid")"; then
    nginx_cmd -s quit || true
  fi
  stop_pid nginx QUIT 30
  for file in "$RUN"/pids/api* "$RUN"/pids/worker*; do
    [ -e "$file" ] || continue
    n=$(basename "$file")
    case $n in
      api*) stop_pid "$n" "$(unit_value timbre-api@.service KillSignal)" 35 ;;
      *) stop_pid "$n" "$(unit_value timbre-worker@.service KillSignal)" 65 ;;
    esac
  done
  if alive "$(pid_of redis)"; then
    redis-cli -p "$REDIS_PORT" shutdown > /dev/null 2>&1 || true
    stop_pid redis TERM 20
  fi
  if [ -f "$RUN/pg/data/PG_VERSION" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$RUN/pg/data" -m fast -w stop > /dev/null 2>&1 || true
  fi
  rm -f "$RUN"/pids/*
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) echo "$ENVFILE" ;;
  restart-api) cmd_restart_api "${2:?API number}" ;;
  drain) cmd_drain "${2:?API number}" ;;
  undrain) cmd_undrain "${2:?API number}" ;;
  restart-worker) cmd_restart_worker "${2:?worker number}" "${3:-}" ;;
  *) sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
