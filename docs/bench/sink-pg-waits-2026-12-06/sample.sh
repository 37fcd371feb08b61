#!/bin/bash
# Samples what the PostgreSQL backend of every Ferry sink is doing, every 5 ms, while a `ferry bench` runs beside it:
# its state (active, idle, idle in transaction), what it waits for, and the statement it runs or last ran.
# Start it before the bench; it finds the bench's PostgreSQL (the first `postgres -p PORT` process) and stops when that
# server stops. Output: one line per backend per sample, `time|database|state|wait_event_type|wait_event|statement`.
#   ./sample.sh > samples.txt & ./ferry bench --rows 1000000 --runs 2 --only sink; python3 pgwaits.py samples.txt
# psql must be installed (Debian: postgresql-client). The sampler itself costs some CPU on a 2-core machine.
while ! ps -eo args | grep -q "^[^ ]*bin/postgres.* -p [0-9]"; do sleep 0.3; done
sleep 2
PORT=$(ps -eo args | grep -o "bin/postgres.* -p [0-9]*" | head -1 | grep -o "[0-9]*$")
echo "sampling PostgreSQL on port $PORT" >&2
psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qAt -F'|' <<'SQL'
SELECT clock_timestamp(), datname, state, wait_event_type, wait_event, left(query, 40) FROM pg_stat_activity WHERE application_name LIKE 'ferry-sink%' AND backend_type = 'client backend' \watch 0.005
SQL
