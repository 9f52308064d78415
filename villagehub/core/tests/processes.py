"""Steps shared by tests that start the hub's own processes (a worker) beside the test."""

from urllib.parse import quote

from django.db import connection


def worker_database_url() -> str:
    """The test database as a DATABASE_URL, for a process started by the test."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return (
        f"postgres://{user}{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
