"""Database expressions the query planners need help with."""

from django.db.models import F, Func


class Unindexed(Func):
    """A column that SQLite will not look up in an index (`+column`).

    For a condition that most rows meet, on a list read in the order of another index: the
    planner, which has no statistics on ranges, would otherwise read the condition's index
    and sort every match. Other databases get the column as it is (they have statistics).
    """

    template = "%(expressions)s"

    def __init__(self, column: str, **extra):
        super().__init__(F(column), **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra)
