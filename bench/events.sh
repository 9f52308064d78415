#!/usr/bin/env bash
# The events benchmarks of docs/benchmarks.md (issue 4), on SQLite or on
# BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/villagehub_bench_events.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DATABASE_URL=${BENCH_EVENTS_DATABASE_URL:-sqlite:///$PWD/var/bench-events.sqlite3}
export PYTHONPATH=$PWD/bench DEBUG=false ALLOWED_HOSTS=127.0.0.1 TASKS_BACKEND=database
export SECRET_KEY=${SECRET_KEY:-$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')}
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m), $(date -u +%F)"
echo "== database: ${DATABASE_URL%%:*}"
$PY bench/fresh_db.py "$DATABASE_URL"
$PY -m villagehub.cli migrate -v0
$PY -m villagehub.cli manage collectstatic --noinput -v0
$PY bench/events_bench.py registrations --attempts 1000 --concurrency 100 --places 80
$PY bench/events_bench.py reminders --count 10000
$PY bench/events_bench.py results --events 200 --answers 20000
