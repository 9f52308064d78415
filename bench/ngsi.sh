#!/usr/bin/env bash
# The NGSI-LD benchmarks of docs/benchmarks.md (issue 15), on SQLite or on
# BENCH_NGSI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/villagehub_bench_ngsi.
# Sizes: BENCH_NGSI_ENTITIES (100,000) and BENCH_NGSI_INSTANCES (1,000,000).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DATABASE_URL=${BENCH_NGSI_DATABASE_URL:-sqlite:///$PWD/var/bench-ngsi.sqlite3}
export PYTHONPATH=$PWD/bench DEBUG=false ALLOWED_HOSTS=127.0.0.1,testserver
export SECRET_KEY=${SECRET_KEY:-$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')}
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m), $(date -u +%F)"
echo "== database: ${DATABASE_URL%%:*}"
$PY bench/fresh_db.py "$DATABASE_URL"
$PY -m villagehub.cli migrate -v0
$PY bench/ngsi_bench.py setup --entities "${BENCH_NGSI_ENTITIES:-100000}" \
  --instances "${BENCH_NGSI_INSTANCES:-1000000}"
$PY bench/ngsi_bench.py load --seconds "${BENCH_SECONDS:-10}" --clients 8 --upserts 5
$PY bench/ngsi_bench.py notify --seconds "${BENCH_SECONDS:-30}" --rate 100
