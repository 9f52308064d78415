"""Table versions: what a list of the API depends on, readable in one small query.

Database triggers on each table a list reads count every write into `core.TableVersion`.
They are (re)installed after every `migrate` and `flush`, because SQLite drops a table's
triggers whenever a migration rebuilds the table. A list's ETag is then its address plus
the versions of its tables, so a conditional GET that is still current costs one indexed
read of a few rows, whatever the list's filters or length; any write to a table changes
the ETag of every list that reads it.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from django.apps import apps
from django.db import connections
from django.db.models import Model
from django.utils import timezone

# The models whose lists the API answers with table versions; their many-to-many tables
# are tracked with them.
VERSIONED_MODELS = (
    "communities.Community",
    "communities.Network",
    "communities.Representative",
    "organisations.Organisation",
    "countries.Factsheet",
    "countries.CapSupport",
    "practices.Practice",
    "practices.PracticeLink",
    "taxonomy.Theme",
    "taxonomy.Goal",
    "taxonomy.FundingSource",
    # What an event's record shows besides the event itself.
    "events.Event",
    "events.Series",
    "events.Session",
    "events.Sponsor",
    "events.Material",
    # The matching's kept index (matching.selectors) reads these.
    "solutions.Solution",
    "solutions.ReferenceInstallation",
    "strategies.Need",
)


def model_tables(model: type[Model]) -> list[str]:
    """The model's table and the tables of its own many-to-many relations."""
    tables = [model._meta.db_table]
    for field in model._meta.local_many_to_many:
        # A many-to-many relation always has its through model.
        through = cast(type[Model], field.remote_field.through)
        if through._meta.auto_created:
            tables.append(through._meta.db_table)
    return tables


def versioned_tables() -> list[str]:
    return [table for label in VERSIONED_MODELS for table in model_tables(apps.get_model(label))]


def tables_version(models: Iterable[type[Model]]) -> tuple[tuple, datetime | None]:
    """The versions of the models' tables, and the latest time one of them changed."""
    return _version_of([table for model in models for table in model_tables(model)])


def tables_state(models: Iterable[type[Model]]) -> tuple[tuple[str, int, datetime | None], ...]:
    """Each of the models' tables with its version and the time of its last write."""
    from .models import TableVersion

    tables = [table for model in models for table in model_tables(model)]
    return tuple(
        sorted(
            TableVersion.objects.filter(name__in=tables).values_list(
                "name", "version", "changed_at"
            )
        )
    )


def record_version(record: Model, *, shows: Iterable[type[Model]]) -> tuple[tuple, datetime]:
    """What one record's answer depends on: its own change time, its many-to-many
    relations, and the tables of the other records it `shows` (a community's
    representatives, a practice's links, the slugs of its themes), so that its ETag changes
    when any of them does, whichever way they were written. Last-Modified is the latest of
    them: a write elsewhere in those tables may move it on, never back."""
    own = model_tables(type(record))[1:]
    version, latest = _version_of(own + [t for model in shows for t in model_tables(model)])
    changed: datetime = cast(Any, record).updated_at  # the records shown have their time
    return (changed, *version), max(changed, latest) if latest else changed


def _version_of(tables: list[str]) -> tuple[tuple, datetime | None]:
    from .models import TableVersion

    rows = sorted(
        TableVersion.objects.filter(name__in=tables).values_list("name", "version", "changed_at")
    )
    latest = max((changed for _n, _v, changed in rows if changed), default=None)
    return tuple((name, version) for name, version, _c in rows), latest


_SQLITE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS "{name}" AFTER {event} ON "{table}" BEGIN
    UPDATE core_tableversion
    SET version = version + 1, changed_at = strftime('%Y-%m-%d %H:%M:%f', 'now')
    WHERE name = '{table}';
END
"""

_POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION core_tableversion_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE core_tableversion
    SET version = version + 1, changed_at = clock_timestamp()
    WHERE name = TG_TABLE_NAME;
    RETURN NULL;
END
$$
"""

# Once per statement, so that a bulk write of 1,000 rows bumps the version once.
_POSTGRESQL_TRIGGER = """
CREATE OR REPLACE TRIGGER "{name}"
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}"
FOR EACH STATEMENT EXECUTE FUNCTION core_tableversion_bump()
"""


def triggers_install(using: str = "default") -> None:
    """Make the version rows and the triggers that keep them (idempotent)."""
    from .models import TableVersion

    connection = connections[using]
    tables = versioned_tables()
    existing = set(connection.introspection.table_names())
    tables = [table for table in tables if table in existing]
    known = set(TableVersion.objects.using(using).values_list("name", flat=True))
    # A table starts being counted now: what it held was written no later than this, so
    # its lists have a Last-Modified from the start.
    now = timezone.now()
    TableVersion.objects.using(using).bulk_create(
        [TableVersion(name=table, changed_at=now) for table in tables if table not in known]
    )
    TableVersion.objects.using(using).filter(changed_at__isnull=True).update(changed_at=now)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for table in tables:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    name = f"tableversion_{table}_{event.lower()}"
                    cursor.execute(_SQLITE_TRIGGER.format(name=name, event=event, table=table))
        elif connection.vendor == "postgresql":
            cursor.execute(_POSTGRESQL_FUNCTION)
            for table in tables:
                cursor.execute(
                    _POSTGRESQL_TRIGGER.format(name=f"tableversion_{table}", table=table)
                )
