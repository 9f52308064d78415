"""How the database answers the community list with a size band."""

import pytest
from django.db import connection

from villagehub.communities.selectors import community_list
from villagehub.communities.tests.factories import CommunityFactory
from villagehub.core.api import _after, _order_keys

pytestmark = pytest.mark.django_db


def query_plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " | ".join(str(row[-1]) for row in cursor.fetchall())


def test_a_size_band_keeps_the_name_order_and_the_count():
    small = [CommunityFactory(population=n * 300, name=f"Town {n}") for n in range(1, 6)]
    CommunityFactory(population=50_000, name="Big town")

    listed = community_list(filters={"size": "under-2000"})
    counted = community_list(filters={"size": "under-2000"}, size_indexed=True)

    assert list(listed) == small
    assert counted.count() == len(small) == listed.count()


def test_a_page_of_a_size_band_is_read_in_name_order_without_sorting():
    if connection.vendor != "sqlite":
        pytest.skip("the plan checked is SQLite's; PostgreSQL chooses by its statistics")
    CommunityFactory.create_batch(3, population=500)
    listed = community_list(filters={"size": "under-2000"})
    first = listed.first()

    page = query_plan(listed[:50])
    after = query_plan(listed.filter(_after(_order_keys(listed), [first.name, first.pk]))[:51])

    for plan in (page, after):
        assert "communities_name" in plan
        assert "TEMP B-TREE" not in plan
    assert "name>?" in after  # the cursor seeks, it does not scan from the start
