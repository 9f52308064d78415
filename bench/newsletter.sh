#!/usr/bin/env bash
# The newsletter benchmark of docs/benchmarks.md on a fresh database:
# `make bench-newsletter` (SQLite), BENCH_DATABASE_URL=postgres://... for PostgreSQL, and
# BENCH_NEWSLETTER_SUBSCRIBERS / BENCH_NEWSLETTER_ITEMS for a smaller run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
export DATABASE_URL=${BENCH_DATABASE_URL:-sqlite:///$PWD/var/bench-newsletter.sqlite3}
export PYTHONPATH=$PWD/bench${PYTHONPATH:+:$PYTHONPATH}
export DEBUG=false ALLOWED_HOSTS=127.0.0.1,testserver HUB_URL=https://hub.example.org
export SECRET_KEY=${SECRET_KEY:-$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')}
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m), $(date -u +%F)"
echo "== newsletter: ${DATABASE_URL%%:*}; ${BENCH_NEWSLETTER_SUBSCRIBERS:-100000} subscribers, ${BENCH_NEWSLETTER_ITEMS:-1000} items"
mkdir -p var
$PY bench/fresh_db.py "$DATABASE_URL"
$PY -m villagehub.cli migrate -v0
$PY bench/newsletter_bench.py run
