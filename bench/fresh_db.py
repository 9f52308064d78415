"""Create an empty database (SQLite file or PostgreSQL database), or drop it with --drop.

Used by the benchmarks and by CI for its throw-away PostgreSQL database."""

import os
import sys
from pathlib import Path

import dj_database_url
import psycopg

url = sys.argv[1]
config = dj_database_url.parse(url)
if config["ENGINE"].endswith("sqlite3"):  # the file is removed, and made again by migrate
    for suffix in ("", "-wal", "-shm"):
        Path(config["NAME"] + suffix).unlink(missing_ok=True)
else:
    admin = psycopg.connect(
        host=config["HOST"] or "127.0.0.1", port=config["PORT"] or 5432,
        user=config["USER"] or os.environ.get("USER", "postgres"), dbname="postgres",
        password=config["PASSWORD"] or None, autocommit=True,
    )  # fmt: skip
    name = psycopg.sql.Identifier(config["NAME"])
    admin.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
    if "--drop" not in sys.argv:
        admin.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(name))
