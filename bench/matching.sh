#!/usr/bin/env bash
# The matching and one-to-one meeting benchmarks of docs/benchmarks.md (issue 16), on
# SQLite or on BENCH_MATCHING_DATABASE_URL=postgres://postgres@127.0.0.1:5432/villagehub_bench_matching.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DATABASE_URL=${BENCH_MATCHING_DATABASE_URL:-sqlite:///$PWD/var/bench-matching.sqlite3}
export PYTHONPATH=$PWD/bench DEBUG=false ALLOWED_HOSTS=127.0.0.1
export SECRET_KEY=${SECRET_KEY:-$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')}
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m), $(date -u +%F)"
echo "== database: ${DATABASE_URL%%:*}"
$PY bench/matching_bench.py --solutions "${BENCH_SOLUTIONS:-10000}" --needs "${BENCH_NEEDS:-50000}"
$PY bench/matchmaking_bench.py
