"""Create an empty database for a benchmark run (SQLite file or PostgreSQL database)."""

import os
import sys
from pathlib import Path

import dj_database_url
import psycopg

url = sys.argv[1]
config = dj_database_url.parse(url)
if config["ENGINE"].endswith("sqlite3"):
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
    admin.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(name))
