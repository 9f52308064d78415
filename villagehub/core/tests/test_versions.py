"""Table versions kept by triggers: every write changes the ETag of the lists that read it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from villagehub.communities.models import Community
from villagehub.communities.tests.factories import CommunityFactory
from villagehub.core.models import TableVersion
from villagehub.core.versions import triggers_install, versioned_tables
from villagehub.practices.tests.factories import PracticeFactory
from villagehub.taxonomy.models import Theme

pytestmark = pytest.mark.django_db


def etag(client, path):
    return client.get(path)["ETag"]


def test_every_tracked_table_has_its_version_row():
    assert set(versioned_tables()) <= set(TableVersion.objects.values_list("name", flat=True))
    assert "communities_community_themes" in versioned_tables()


def test_writes_that_skip_the_services_change_the_etag_too(client):
    town = CommunityFactory(slug="town")
    before = etag(client, "/api/v1/communities?country=dk")

    # No service, no updated_at: only the trigger sees these.
    Community.objects.filter(pk=town.pk).update(region="Zealand")
    after_update = etag(client, "/api/v1/communities?country=dk")
    town.themes.add(Theme.objects.get(slug="broadband"))
    after_relation = etag(client, "/api/v1/communities?country=dk")
    Community.objects.filter(pk=town.pk).delete()
    after_delete = etag(client, "/api/v1/communities?country=dk")

    assert len({before, after_update, after_relation, after_delete}) == 4


def test_a_write_to_another_table_keeps_the_etag(client):
    CommunityFactory()
    before = etag(client, "/api/v1/organisations")
    CommunityFactory()
    assert etag(client, "/api/v1/organisations") == before


def test_a_current_copy_of_a_filtered_list_costs_no_count(client):
    PracticeFactory(themes=[Theme.objects.get(slug="broadband")])
    path = "/api/v1/practices?theme=broadband&size=under-2000"
    tag = etag(client, path)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, HTTP_IF_NONE_MATCH=tag)

    assert response.status_code == 304
    assert not [q for q in queries if "COUNT(" in q["sql"].upper()]
    assert not [q for q in queries if 'FROM "practices_practice"' in q["sql"]]


def test_reinstalling_the_triggers_is_harmless_and_keeps_counting(client):
    before = TableVersion.objects.get(name="communities_community").version
    triggers_install()
    triggers_install()
    CommunityFactory()
    assert TableVersion.objects.get(name="communities_community").version > before
