"""How the database answers the practice list: read off an index, never sorted whole."""

import pytest
from django.db import connection

from villagehub.practices.selectors import practice_list
from villagehub.practices.tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db


def query_plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " | ".join(str(row[-1]) for row in cursor.fetchall())


def test_the_newest_published_practices_are_read_off_the_partial_index():
    if connection.vendor != "sqlite":
        pytest.skip("the plan checked is SQLite's; PostgreSQL chooses by its statistics")
    PracticeFactory.create_batch(3)
    PracticeFactory(is_published=False)

    plan = query_plan(practice_list(filters={"sort": "newest"})[:20])

    assert "USING INDEX practice_published_newest" in plan
    assert "TEMP B-TREE" not in plan
