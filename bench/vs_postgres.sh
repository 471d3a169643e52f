#!/bin/sh
# The ledger beside PostgreSQL, on this machine, with the same workloads and client counts,
# alternating, each figure printed with the ratio (ledger / PostgreSQL; above 1: the ledger is
# faster).
#
#   bench/vs_postgres.sh [BUILD_DIR] [SECONDS]       (root: PostgreSQL runs as the postgres user)
#
# PostgreSQL 15 from Debian's package runs throw-away: its data in a temporary directory, a unix
# socket only, synchronous_commit on and fsync on (durable, as the ledger's appends are). The
# event-store table has a bigserial position, a unique (stream, revision), a unique event id and
# the serialized event (as many bytes as the ledger's session events). Workloads:
#   single events at 1, 16 and 64 clients   one INSERT per transaction   / AppendEvents per event
#   64 producers of single events           the same                     / AppendStream, 16 in flight each
#   batches of 100 at 16 clients            one 100-row INSERT per tx    / AppendEvents of 100 events
#   one 1000-event stream read whole        SELECT ... ORDER BY revision / ReadStream (1 and 16 clients)
#   a full scan                             SELECT everything by position / ReadLog from 1
# Each pair runs ROUNDS times (default 2), PostgreSQL first then the ledger, and the medians are
# printed.
set -eu
build=${1:-build}
seconds=${2:-5}
rounds=${ROUNDS:-2}
bin=/usr/lib/postgresql/15/bin
[ -x "$bin/pgbench" ] || { echo "vs_postgres: PostgreSQL 15 is missing: apt-get install postgresql-15" >&2; exit 2; }
[ -x "$build/bench/append_bench" ] && [ -x "$build/bench/read_bench" ] ||
  { echo "vs_postgres: build first (cmake --build $build)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "vs_postgres: run as root (PostgreSQL runs as the postgres user)" >&2; exit 2; }

work=$(mktemp -d /tmp/vs-postgres-XXXXXX)
chown postgres "$work"
pg() { runuser -u postgres -- "$@"; }
stop() { pg "$bin/pg_ctl" -D "$work/data" -m immediate stop > /dev/null 2>&1 || true; rm -rf "$work"; }
trap stop EXIT INT TERM

pg "$bin/initdb" -D "$work/data" -A trust -U postgres > "$work/initdb.log"
pg "$bin/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w start -o \
  "-c listen_addresses='' -k $work -c fsync=on -c synchronous_commit=on -c max_connections=200 \
   -c shared_buffers=256MB -c max_wal_size=4GB" > /dev/null
psql() { pg "$bin/psql" -h "$work" -U postgres -q -v ON_ERROR_STOP=1 "$@"; }
psql -c "CREATE DATABASE bench"
psql -d bench <<'SQL'
CREATE TABLE events (
  position bigserial PRIMARY KEY,
  stream text NOT NULL,
  revision bigint NOT NULL,
  event_id uuid NOT NULL UNIQUE,
  event_type text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  data bytea NOT NULL,
  UNIQUE (stream, revision)
);
SQL
# ~200 bytes of event, as the ledger's session events serialize to.
payload="decode(repeat('a5', 200), 'hex')"
cat > "$work/single.sql" <<SQL
\set r random(1, 2000000000)
INSERT INTO events (stream, revision, event_id, event_type, data)
  VALUES ('engagement-' || :client_id || '-' || :r || '-' || random(), 0, gen_random_uuid(), 'session_held', $payload);
SQL
cat > "$work/batch.sql" <<SQL
\set r random(1, 2000000000)
INSERT INTO events (stream, revision, event_id, event_type, data)
  SELECT 'engagement-' || :client_id || '-' || :r || '-' || random(), g - 1, gen_random_uuid(), 'session_held', $payload
  FROM generate_series(1, 100) g;
SQL
cat > "$work/stream.sql" <<'SQL'
SELECT position, revision, event_id, data FROM events WHERE stream = 'big' ORDER BY revision;
SQL
cat > "$work/scan.sql" <<'SQL'
SELECT position, stream, revision, event_id, data FROM events ORDER BY position;
SQL
chown postgres "$work"/*.sql

# Transactions per second of one pgbench run.
pgbench_tps() { # clients script
  pg "$bin/pgbench" -h "$work" -U postgres -n -c "$1" -j 2 -T "$seconds" -f "$2" bench 2>&1 |
    sed -n 's/^tps = \([0-9.]*\).*/\1/p'
}
multiply() { awk -v a="${1:-0}" -v b="$2" 'BEGIN { printf "%.0f", a * b }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
row() { # name postgres ledger unit
  awk -v n="$1" -v p="$2" -v l="$3" -v u="$4" 'BEGIN {
    printf "%-44s %14.0f %14.0f %8.2fx  %s\n", n, p, l, (p > 0 ? l / p : 0), u }'
}

echo "The ledger beside PostgreSQL 15 on this machine ($(nproc) cores), $seconds s per run, median of $rounds rounds"
printf "%-44s %14s %14s %9s  %s\n" "workload" "PostgreSQL" "ledger" "ratio" "unit"
for scenario in 1x1 16x1 64x1 64x1s 16x100; do
  clients=${scenario%%x*}; rest=${scenario#*x}; batch=${rest%s}
  p=""; l=""
  for i in $(seq "$rounds"); do
    if [ "$batch" = 100 ]; then
      tps=$(pgbench_tps "$clients" "$work/batch.sql"); p="$p $(multiply "$tps" 100)"
    else
      p="$p $(pgbench_tps "$clients" "$work/single.sql")"
    fi
    depth=0; [ "$rest" != "$batch" ] && depth=16
    l="$l $("$build/bench/append_bench" --seconds="$seconds" --scenarios="${clients}x$batch" \
            --stream_depth=$depth 2>/dev/null | awk 'NR > 2 { print $3 }' | tail -n 1)"
  done
  name="appends: $clients clients x $batch event(s)"
  [ "$rest" != "$batch" ] && name="appends: $clients producers (AppendStream)"
  row "$name" "$(echo $p | tr ' ' '\n' | median)" "$(echo $l | tr ' ' '\n' | median)" "events/s"
done

# Reads: a 1000-event stream and a scan of 100,000 events in both.
psql -d bench -c "TRUNCATE events; INSERT INTO events (stream, revision, event_id, event_type, data)
  SELECT 'big', g - 1, gen_random_uuid(), 'session_held', $payload FROM generate_series(1, 1000) g;
  INSERT INTO events (stream, revision, event_id, event_type, data)
  SELECT 'engagement-' || (g / 100), g % 100, gen_random_uuid(), 'session_held', $payload
  FROM generate_series(1, 100000) g;"
psql -d bench -c "VACUUM ANALYZE events"
ledger_reads=$("$build/bench/read_bench" --seconds="$seconds" --clients=1,16 --log_events=100000 2>/dev/null)
for clients in 1 16; do
  p=$(multiply "$(pgbench_tps "$clients" "$work/stream.sql")" 1000)
  l=$(echo "$ledger_reads" | awk -v c="$clients" '/^one stream/ && $6 == c { print $8 }')
  row "read one 1000-event stream: $clients client(s)" "$p" "$l" "events/s"
done
p=$(multiply "$(pg "$bin/pgbench" -h "$work" -U postgres -n -c 1 -t 3 -f "$work/scan.sql" bench 2>&1 |
      sed -n 's/^tps = \([0-9.]*\).*/\1/p')" 101000)
l=$(echo "$ledger_reads" | awk '/^full scan/ { print $8 }')
row "full scan of 101,000 events" "$p" "$l" "events/s"
