#!/usr/bin/env bash
# A deployment rehearsal on ONE machine (docs/DEPLOYMENT.md, "Rehearsed on one machine").
#
# Starts, beside whatever already runs here and without touching it:
#   - PostgreSQL 15: a primary (5434) archiving WAL, a streaming replica (5435) made with
#     pg_basebackup, and later a point-in-time restore of a base backup into a third cluster (5436);
#   - Redis: a primary (6390), a replica (6391) and three Sentinels (26390-26392);
#   - FundPortal with production settings: two gunicorn web nodes (8471, 8472), one Celery worker
#     per queue (-Q), and one beat, all reaching Redis through sentinel://;
# then checks each claim the document makes, fails over the Redis primary, does a rolling restart
# of the web nodes, and removes everything it created (the clusters, the Redis instances, the
# processes, its folder). The main cluster on 5432 and Redis on 6379 are never touched.
#
# Needs root (it runs the clusters as the postgres user) and Debian's postgresql-15 and redis-server.
# Usage: deploy/rehearse.sh            KEEP=1 deploy/rehearse.sh keeps the logs in $WORK
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

PG=15
PREFIX=opsrehearse
PRIMARY_PORT=5434 REPLICA_PORT=5435 PITR_PORT=5436
REDIS_PRIMARY=6390 REDIS_REPLICA=6391 SENTINELS=(26390 26391 26392)
WEB_PORTS=(8471 8472)
QUEUES=(decisions collections payouts default)
WORK=/var/tmp/${PREFIX}
ARCHIVE=$WORK/wal-archive
PY=$ROOT/.venv/bin/python
PIDS=()
FAILED=0

say() { printf '\n==> %s\n' "$*"; }
ok() { printf 'OK   %s\n' "$*"; }
bad() { printf 'FAIL %s\n' "$*"; FAILED=1; }
psql_at() { psql -h 127.0.0.1 -p "$1" -U postgres -XAtq "${@:2}"; }
as_postgres() { runuser -u postgres -- "$@"; }

cleanup() {
  set +e
  say "Cleaning up"
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  sleep 3
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
  for port in "$REDIS_PRIMARY" "$REDIS_REPLICA" "${SENTINELS[@]}"; do
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1
  done
  for cluster in primary replica pitr; do
    if pg_lsclusters -h | awk '{print $2}' | grep -qx "${PREFIX}_${cluster}"; then
      pg_dropcluster --stop "$PG" "${PREFIX}_${cluster}"
    fi
  done
  if [ "${KEEP:-0}" = 1 ]; then echo "logs kept in $WORK"; else rm -rf "$WORK"; fi
  pg_lsclusters | grep -c "$PREFIX" >/dev/null && echo "left over:" && pg_lsclusters | grep "$PREFIX"
  echo "main cluster untouched: $(pg_lsclusters -h | awk '$2=="main"{print $3, $4}')"
}
trap cleanup EXIT

wait_for() {  # wait_for <seconds> '<condition, evaluated again on each try>'
  local seconds=$1 condition=$2
  for _ in $(seq "$((seconds * 5))"); do eval "$condition" >/dev/null 2>&1 && return 0; sleep 0.2; done
  return 1
}

refuse_if_taken() {
  for port in "$PRIMARY_PORT" "$REPLICA_PORT" "$PITR_PORT" "$REDIS_PRIMARY" "$REDIS_REPLICA" \
    "${SENTINELS[@]}" "${WEB_PORTS[@]}"; do
    if ss -ltn "sport = :$port" | grep -q LISTEN; then echo "port $port is in use: not starting"; exit 2; fi
  done
  if pg_lsclusters -h | awk '{print $2}' | grep -q "^${PREFIX}_"; then
    echo "a ${PREFIX}_ cluster exists already (an earlier run?): drop it first"; exit 2
  fi
}

# --------------------------------------------------------------------------------------------
say "Preflight"
[ "$(id -u)" = 0 ] || { echo "run as root"; exit 2; }
refuse_if_taken
rm -rf "$WORK" && mkdir -p "$ARCHIVE" && chown -R postgres:postgres "$WORK"
date -Iseconds

# --------------------------------------------------------------------------------------------
say "PostgreSQL primary on $PRIMARY_PORT with WAL archiving"
pg_createcluster "$PG" "${PREFIX}_primary" -p "$PRIMARY_PORT" -- --auth=trust >/dev/null
cat >"/etc/postgresql/$PG/${PREFIX}_primary/conf.d/rehearsal.conf" <<EOF
listen_addresses = '127.0.0.1'
wal_level = replica
archive_mode = on
archive_command = 'test ! -f $ARCHIVE/%f && cp %p $ARCHIVE/%f'
archive_timeout = 60
max_wal_senders = 5
wal_keep_size = '256MB'
hot_standby = on
EOF
pg_ctlcluster --skip-systemctl-redirect "$PG" "${PREFIX}_primary" start
wait_for 30 'pg_isready -h 127.0.0.1 -p "$PRIMARY_PORT"' && ok "primary accepts connections"

say "Streaming replica on $REPLICA_PORT from pg_basebackup"
pg_createcluster "$PG" "${PREFIX}_replica" -p "$REPLICA_PORT" -- --auth=trust >/dev/null
cp "/etc/postgresql/$PG/${PREFIX}_primary/conf.d/rehearsal.conf" "/etc/postgresql/$PG/${PREFIX}_replica/conf.d/"
REPLICA_DATA=/var/lib/postgresql/$PG/${PREFIX}_replica
rm -rf "$REPLICA_DATA" && install -d -o postgres -g postgres -m 700 "$REPLICA_DATA"
as_postgres pg_basebackup -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$REPLICA_DATA" -R -X stream -c fast
pg_ctlcluster --skip-systemctl-redirect "$PG" "${PREFIX}_replica" start
wait_for 30 'pg_isready -h 127.0.0.1 -p "$REPLICA_PORT"'
wait_for 30 '[ "$(psql_at "$PRIMARY_PORT" -c "select state from pg_stat_replication")" = streaming ]' || true
psql_at "$PRIMARY_PORT" -c "select 'pg_stat_replication: ' || application_name || ' ' || state || ' ' || sync_state from pg_stat_replication"
[ "$(psql_at "$PRIMARY_PORT" -c "select state from pg_stat_replication")" = streaming ] \
  && ok "replica is streaming" || bad "replica is not streaming"
[ "$(psql_at "$REPLICA_PORT" -c 'select pg_is_in_recovery()')" = t ] && ok "replica is in recovery (read-only)"

psql_at "$PRIMARY_PORT" -c "create database ${PREFIX}_app"
psql_at "$PRIMARY_PORT" -d "${PREFIX}_app" -c "create table ${PREFIX}_check (id int primary key, note text)"
psql_at "$PRIMARY_PORT" -d "${PREFIX}_app" -c "insert into ${PREFIX}_check values (1, 'written on the primary')"
if wait_for 10 '[ "$(psql_at "$REPLICA_PORT" -d "${PREFIX}_app" -c "select note from ${PREFIX}_check where id = 1")" = "written on the primary" ]'; then
  ok "a write on the primary is read on the replica"
else
  bad "the replica did not show the primary's write"
fi
psql_at "$PRIMARY_PORT" -c "select 'replay lag bytes: ' || pg_wal_lsn_diff(sent_lsn, replay_lsn) from pg_stat_replication"

# --------------------------------------------------------------------------------------------
say "Point-in-time recovery: base backup, a deliberate mistake, restore to just before it"
as_postgres pg_basebackup -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$WORK/base" -X stream -c fast
psql_at "$PRIMARY_PORT" -d "${PREFIX}_app" -c "insert into ${PREFIX}_check values (2, 'precious row')"
sleep 1.5
TARGET=$(psql_at "$PRIMARY_PORT" -c "select now()")
sleep 1.5
psql_at "$PRIMARY_PORT" -d "${PREFIX}_app" -c "delete from ${PREFIX}_check where id = 2"
echo "mistake at $(psql_at "$PRIMARY_PORT" -c 'select now()'), restore target $TARGET"
LAST=$(psql_at "$PRIMARY_PORT" -c "select pg_walfile_name(pg_current_wal_lsn())")
psql_at "$PRIMARY_PORT" -c "select pg_switch_wal()" >/dev/null
wait_for 30 '[ -f "$ARCHIVE/$LAST" ]' && ok "WAL archived up to $LAST ($(ls "$ARCHIVE" | wc -l) files)" \
  || bad "WAL segment $LAST was not archived"
[ -z "$(psql_at "$PRIMARY_PORT" -d "${PREFIX}_app" -c "select 1 from ${PREFIX}_check where id = 2")" ] \
  && ok "the row is gone on the primary"

pg_createcluster "$PG" "${PREFIX}_pitr" -p "$PITR_PORT" -- --auth=trust >/dev/null
PITR_DATA=/var/lib/postgresql/$PG/${PREFIX}_pitr
rm -rf "$PITR_DATA" && cp -a "$WORK/base" "$PITR_DATA" && chown -R postgres:postgres "$PITR_DATA"
cat >"/etc/postgresql/$PG/${PREFIX}_pitr/conf.d/recovery.conf" <<EOF
listen_addresses = '127.0.0.1'
restore_command = 'cp $ARCHIVE/%f %p'
recovery_target_time = '$TARGET'
recovery_target_action = 'promote'
EOF
as_postgres touch "$PITR_DATA/recovery.signal"
STARTED=$(date +%s)
pg_ctlcluster --skip-systemctl-redirect "$PG" "${PREFIX}_pitr" start
wait_for 60 '[ "$(psql_at "$PITR_PORT" -c "select pg_is_in_recovery()")" = f ]' \
  && ok "restored cluster promoted after $(($(date +%s) - STARTED)) s" || bad "restore did not finish"
ROW=$(psql_at "$PITR_PORT" -d "${PREFIX}_app" -c "select note from ${PREFIX}_check where id = 2" || true)
[ "$ROW" = "precious row" ] && ok "the deleted row is back in the restored cluster: '$ROW'" \
  || bad "the restored cluster lacks the row (got '$ROW')"
pg_dropcluster --stop "$PG" "${PREFIX}_pitr"

# --------------------------------------------------------------------------------------------
say "Redis primary $REDIS_PRIMARY, replica $REDIS_REPLICA, Sentinels ${SENTINELS[*]}"
for port in "$REDIS_PRIMARY" "$REDIS_REPLICA"; do
  extra=()
  [ "$port" = "$REDIS_REPLICA" ] && extra=(--replicaof 127.0.0.1 "$REDIS_PRIMARY")
  redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
    --dir "$WORK" --logfile "$WORK/redis-$port.log" --pidfile "$WORK/redis-$port.pid" "${extra[@]}"
done
for port in "${SENTINELS[@]}"; do
  cat >"$WORK/sentinel-$port.conf" <<EOF
port $port
bind 127.0.0.1
daemonize yes
dir $WORK
logfile $WORK/sentinel-$port.log
pidfile $WORK/sentinel-$port.pid
sentinel monitor fundportal 127.0.0.1 $REDIS_PRIMARY 2
sentinel down-after-milliseconds fundportal 2000
sentinel failover-timeout fundportal 10000
sentinel parallel-syncs fundportal 1
EOF
  redis-server "$WORK/sentinel-$port.conf" --sentinel
done
wait_for 20 '[ "$(redis-cli -p "$REDIS_REPLICA" info replication | grep -c "master_link_status:up")" = 1 ]'
wait_for 20 '[ "$(redis-cli -p "${SENTINELS[0]}" sentinel master fundportal | awk "p{print;exit} /^num-other-sentinels\$/{p=1}")" = 2 ]' \
  && ok "three Sentinels watch the primary" || bad "the Sentinels did not find each other"
echo "Sentinel says the primary is $(redis-cli -p "${SENTINELS[0]}" sentinel get-master-addr-by-name fundportal | paste -sd:)"

# --------------------------------------------------------------------------------------------
say "FundPortal with production settings: migrate, two web nodes, a worker per queue, one beat"
BROKER=""
for port in "${SENTINELS[@]}"; do BROKER+="${BROKER:+;}sentinel://127.0.0.1:$port/11"; done
random() { head -c "$1" /dev/urandom | base64 | tr '+/' '-_' | tr -d '\n'; }
export DJANGO_SETTINGS_MODULE=fundportal.settings.production
export SECRET_KEY="rehearsal-$(random 48)" FIELD_ENCRYPTION_KEY=$(random 32) SEAL_SIGNING_KEY=$(random 32)
export SMS_WEBHOOK_SECRET=$(random 32) IVR_WEBHOOK_SECRET=$(random 32)
export DATABASE_URL=postgres://postgres@127.0.0.1:$PRIMARY_PORT/${PREFIX}_app
export CELERY_BROKER_URL=$BROKER REDIS_SENTINEL_MASTER=fundportal
export ALLOWED_HOSTS=127.0.0.1,localhost FUNDPORTAL_VAR_DIR=$WORK/var LOG_FORMAT=json
export AUDIT_ANCHOR_FILE=$WORK/var/audit-anchors.log GUNICORN_WORKERS=2
mkdir -p "$WORK/var"

STARTED=$(date +%s)
"$PY" manage.py migrate --noinput -v 0
ok "migrations applied on the primary in $(($(date +%s) - STARTED)) s"
wait_for 10 '[ "$(psql_at "$REPLICA_PORT" -d "${PREFIX}_app" -c "select count(*) > 100 from django_migrations")" = t ]' \
  && ok "the replica has the migrated schema ($(psql_at "$REPLICA_PORT" -d "${PREFIX}_app" -c 'select count(*) from django_migrations') migrations)"

start() {  # start <log name> <command...>
  local name=$1
  shift
  "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}
for port in "${WEB_PORTS[@]}"; do
  GUNICORN_BIND=127.0.0.1:$port start "web-$port" .venv/bin/gunicorn -c deploy/gunicorn.conf.py \
    --pid "$WORK/web-$port.pid" fundportal.wsgi
done
declare -A WORKER_PID
for queue in "${QUEUES[@]}"; do
  start "worker-$queue" .venv/bin/celery -A fundportal worker -Q "$queue" -n "$queue@rehearsal" \
    --concurrency 1 --without-gossip --without-mingle --loglevel INFO
  WORKER_PID[$queue]=$!
done
start beat .venv/bin/celery -A fundportal beat --schedule "$WORK/var/celerybeat-schedule" --loglevel INFO
web_pid() { cat "$WORK/web-$1.pid"; }

readyz() { curl -s -m 5 -o "$WORK/readyz-$1.json" -w '%{http_code}' "http://127.0.0.1:$1/readyz"; }
for port in "${WEB_PORTS[@]}"; do
  if wait_for 60 '[ "$(readyz "$port")" = 200 ]'; then
    ok "node $port /readyz 200: $(cat "$WORK/readyz-$port.json")"
  else
    bad "node $port /readyz: $(readyz "$port") $(cat "$WORK/readyz-$port.json")"
  fi
done

say "Each queue's worker takes its own tasks"
sleep 12  # beat sends payouts.tasks.relay_payouts every 5 s, the sweeps every minute
"$PY" manage.py shell -v 0 -c "
from fundportal.celery import app
for worker, queues in sorted((app.control.inspect(timeout=5).active_queues() or {}).items()):
    print(worker, 'consumes', ','.join(queue['name'] for queue in queues))" | grep consumes || bad "no worker answered"
received() { grep -c "Task $2\[" "$WORK/worker-$1.log" || true; }
[ "$(received payouts payouts.tasks.relay_payouts)" -gt 0 ] && [ "$(received default payouts.tasks.relay_payouts)" = 0 ] \
  && ok "payouts.tasks.relay_payouts ran on the payouts worker only ($(received payouts payouts.tasks.relay_payouts) times)" \
  || bad "relay_payouts did not run on the payouts worker alone"
"$PY" manage.py shell -v 0 -c "from deposits.tasks import sweep_deposit_lists as t; t.delay()"
wait_for 20 '[ "$(received collections deposits.tasks.sweep_deposit_lists)" -gt 0 ]' \
  && ok "deposits.tasks.sweep_deposit_lists ran on the collections worker" || bad "the collections worker did not take the sweep"

say "A request's id: echoed and on its JSON access line"
curl -s -o /dev/null -D "$WORK/headers.txt" -H 'X-Request-ID: rehearsal-req-1' -H 'X-Forwarded-Proto: https' \
  "http://127.0.0.1:${WEB_PORTS[0]}/no-such-page/?q=1"
grep -qi '^x-request-id: rehearsal-req-1' "$WORK/headers.txt" && ok "X-Request-ID echoed" || bad "X-Request-ID not echoed"
LINE=$(grep '"rehearsal-req-1"' "$WORK/web-${WEB_PORTS[0]}.log" | grep fundportal.access | head -1 || true)
echo "$LINE"
echo "$LINE" | "$PY" -c 'import json,sys; l=json.loads(sys.stdin.read()); assert l["path"]=="/no-such-page/" and l["status"]==404' \
  && ok "one JSON access line, path without its query string" || bad "no JSON access line"

# --------------------------------------------------------------------------------------------
say "Round trip through the broker, then fail over the Redis primary"
roundtrip() {
  "$PY" manage.py shell -v 0 -c "
import time
from django.core.cache import cache
from core.tasks import HEARTBEAT_KEY, heartbeat
cache.delete(HEARTBEAT_KEY); started = time.monotonic(); heartbeat.delay()
while cache.get(HEARTBEAT_KEY) is None and time.monotonic() - started < 60: time.sleep(0.05)
assert cache.get(HEARTBEAT_KEY), 'no heartbeat'
print(f'{(time.monotonic() - started) * 1000:.0f}')"
}
MS=$(roundtrip) && ok "heartbeat task round trip through sentinel:// in $MS ms" || bad "no round trip"

FAILED_AT=$(date +%s.%N)
redis-cli -p "$REDIS_PRIMARY" shutdown nosave >/dev/null 2>&1 || true
echo "primary $REDIS_PRIMARY stopped"
if wait_for 40 '[ "$(redis-cli -p "${SENTINELS[0]}" sentinel get-master-addr-by-name fundportal | tail -1)" = "$REDIS_REPLICA" ]'; then
  ok "Sentinel promoted $REDIS_REPLICA after $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $FAILED_AT}") s (its role now: $(redis-cli -p "$REDIS_REPLICA" role | head -1))"
else
  bad "Sentinel did not promote the replica"
fi
STARTED=$(date +%s)
if wait_for 90 'roundtrip'; then
  ok "after the failover a task round-trips again ($(($(date +%s) - STARTED)) s to the first success, then $(roundtrip) ms)"
else
  bad "no task round trip after the failover"
fi
for queue in "${QUEUES[@]}"; do
  grep -q "Connection to broker lost\|consumer: Cannot connect" "$WORK/worker-$queue.log" && echo "$queue worker: lost the broker and reconnected"
done
for port in "${WEB_PORTS[@]}"; do
  wait_for 30 '[ "$(readyz "$port")" = 200 ]' && ok "node $port /readyz 200 after the failover" \
    || bad "node $port not ready after failover: $(cat "$WORK/readyz-$port.json")"
done
redis-server --port "$REDIS_PRIMARY" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
  --dir "$WORK" --logfile "$WORK/redis-$REDIS_PRIMARY.log" --pidfile "$WORK/redis-$REDIS_PRIMARY.pid"
wait_for 30 '[ "$(redis-cli -p "$REDIS_PRIMARY" role | head -1)" = slave ]' \
  && ok "the old primary came back as a replica of the new one"

# --------------------------------------------------------------------------------------------
say "Rolling restart: one node reloads (HUP) while the other keeps serving"
# HUP starts new workers and stops the old ones at once; the new ones answer only once Django has
# loaded (seconds), so the load balancer must have taken the node out first (docs/DEPLOYMENT.md).
# Here each node is reloaded in turn while a probe asks the other one, which must answer every
# request; the reloaded node's time to its first answer is what the balancer has to cover.
probe() {  # probe <port> <seconds>: counts of answers, e.g. {200: 812}
  "$PY" -c "
import sys, time, urllib.request
port, deadline, codes = sys.argv[1], time.monotonic() + float(sys.argv[2]), {}
while time.monotonic() < deadline:
    try:
        code = urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=10).status
    except Exception as error:
        code = type(error).__name__
    codes[code] = codes.get(code, 0) + 1
print(codes)" "$1" "$2"
}
for i in 0 1; do
  port=${WEB_PORTS[$i]} other=${WEB_PORTS[$((1 - i))]}
  probe "$other" 30 >"$WORK/probe-$other.txt" &
  PROBE=$!
  sleep 1
  STARTED=$(date +%s.%N)
  kill -HUP "$(web_pid "$port")"
  # The old workers' last answers are not the new ones': wait until they have exited.
  wait_for 30 '[ "$(grep -c "Worker exiting" "$WORK/web-$port.log")" -ge "$GUNICORN_WORKERS" ]'
  if wait_for 90 '[ "$(readyz "$port")" = 200 ]'; then
    ok "node $port reloaded and ready again after $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $STARTED}") s"
  else
    bad "node $port not ready after its reload"
  fi
  wait "$PROBE" || true
  grep -q "^{200: [0-9]*}$" "$WORK/probe-$other.txt" \
    && ok "node $other answered every request meanwhile: $(cat "$WORK/probe-$other.txt")" \
    || bad "node $other failed requests meanwhile: $(cat "$WORK/probe-$other.txt")"
done

say "Warm shutdown of a worker"
PAYOUTS_PID=${WORKER_PID[payouts]}
kill -TERM "$PAYOUTS_PID"
# Gone, or a zombie waiting for this shell to reap it: either way the worker has exited.
wait_for 30 '! ps -o stat= -p "$PAYOUTS_PID" | grep -qv Z' && grep -qi "warm shutdown" "$WORK/worker-payouts.log" \
  && ok "payouts worker stopped with a warm shutdown" || bad "payouts worker did not stop warmly"

say "Result"
if [ "$FAILED" = 0 ]; then echo "rehearsal passed"; else echo "rehearsal had failures"; fi
exit "$FAILED"
