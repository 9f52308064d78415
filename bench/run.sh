#!/usr/bin/env bash
# The benchmarks of docs/benchmarks.md: `make bench` (SQLite) or
# `make bench BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/villagehub_bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
# The bench-only dependencies (the search's tantivy peer, bench/search_peer.py).
$PY -m pip install --quiet --disable-pip-version-check -e ".[bench]"
COMMUNITIES=${BENCH_COMMUNITIES:-100000}
PRACTICES=${BENCH_PRACTICES:-300000}
export DATABASE_URL=${BENCH_DATABASE_URL:-sqlite:///$PWD/var/bench.sqlite3}
IMPORT_URL=${BENCH_IMPORT_DATABASE_URL:-${DATABASE_URL%/*}/$(basename "${DATABASE_URL%.sqlite3}")_import${DATABASE_URL##*bench}}
export PYTHONPATH=$PWD/bench
# Production settings: with DEBUG on, Django keeps the SQL of the last 9,000 queries in
# memory, which distorts both time and peak memory of bulk work.
export DEBUG=false ALLOWED_HOSTS=127.0.0.1,testserver
export SECRET_KEY=${SECRET_KEY:-$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')}

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m), $(date -u +%F)"
echo "== database: ${DATABASE_URL%%:*}; data: $COMMUNITIES communities, $PRACTICES practices"
$PY bench/fresh_db.py "$DATABASE_URL"
$PY -m villagehub.cli migrate -v0
# The pages are rendered with production settings, which read the static files' manifest.
$PY -m villagehub.cli manage collectstatic --noinput -v0
$PY bench/scale_bench.py generate --communities "$COMMUNITIES" --practices "$PRACTICES" --seed 1
$PY bench/scale_bench.py reindex
$PY bench/search_bench.py --runs "${BENCH_RUNS:-10}"
$PY bench/relevance_bench.py
$PY bench/load_bench.py --seconds "${BENCH_SECONDS:-20}" --clients 8
$PY bench/load_bench.py --seconds "${BENCH_SECONDS:-20}" --clients 8 --search
$PY bench/opendata_bench.py --runs "${BENCH_RUNS:-10}"

csv=var/bench-communities.csv
$PY -m villagehub.cli export --format csv --kind communities -o "$csv"
DATABASE_URL=$IMPORT_URL $PY bench/fresh_db.py "$IMPORT_URL"
DATABASE_URL=$IMPORT_URL $PY -m villagehub.cli migrate -v0
echo "== import of $(($(wc -l < "$csv") - 1)) community rows into an empty database"
DATABASE_URL=$IMPORT_URL $PY bench/scale_bench.py import "$csv"
