"""Table versions kept by triggers: every write changes the ETag of the lists that read it."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.http import parse_http_date

from villagehub.communities.models import Community, Representative
from villagehub.communities.tests.factories import CommunityFactory
from villagehub.core.models import TableVersion
from villagehub.core.versions import triggers_install, versioned_tables
from villagehub.events.models import Session
from villagehub.events.tests.factories import event_make
from villagehub.practices.models import PracticeLink
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


@pytest.mark.parametrize(
    "path", ["/api/v1/themes", "/api/v1/themes/broadband", "/api/v1/sdgs", "/api/v1/sdgs/9"]
)
def test_vocabularies_send_the_last_modified_they_document(client, path):
    response = client.get(path)
    assert response.status_code == 200
    last_modified = response["Last-Modified"]
    assert parse_http_date(last_modified) <= time.time()
    again = client.get(path, HTTP_IF_MODIFIED_SINCE=last_modified)
    assert again.status_code == 304
    assert client.get(path, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_renaming_a_theme_changes_the_etag_of_the_themes(client):
    before = etag(client, "/api/v1/themes/broadband")
    Theme.objects.filter(slug="broadband").update(name="Fast internet")
    assert etag(client, "/api/v1/themes/broadband") != before


def changes(client, path, write) -> tuple[bool, bool]:
    """Whether a write that leaves the record's own row alone changes its ETag and moves its
    Last-Modified to at least the write."""
    response = client.get(path)
    write()
    after = client.get(path, HTTP_IF_NONE_MATCH=response["ETag"])
    written = TableVersion.objects.order_by("-changed_at").first().changed_at
    return (
        after.status_code == 200 and after["ETag"] != response["ETag"],
        parse_http_date(after["Last-Modified"]) >= int(written.timestamp()),
    )


def test_a_community_record_changes_with_its_representatives(client):
    town = CommunityFactory(slug="town")
    path = "/api/v1/communities/town"
    assert changes(
        client,
        path,
        lambda: Representative.objects.create(community=town, name="Anna Berg", role="Chair"),
    ) == (True, True)
    assert changes(client, path, lambda: Representative.objects.update(role="Treasurer")) == (
        True,
        True,
    )
    assert client.get(path).json()["representatives"] == [
        {"name": "Anna Berg", "role": "Treasurer"}
    ]


def test_a_community_record_changes_when_a_theme_it_names_is_renamed(client):
    CommunityFactory(slug="town").themes.add(Theme.objects.get(slug="broadband"))
    assert changes(
        client,
        "/api/v1/communities/town",
        lambda: Theme.objects.filter(slug="broadband").update(slug="fibre"),
    ) == (True, True)
    assert client.get("/api/v1/communities/town").json()["themes"] == ["fibre"]


def test_a_practice_record_changes_with_its_links(client):
    practice = PracticeFactory()
    path = f"/api/v1/practices/{practice.slug}"
    assert changes(
        client,
        path,
        lambda: PracticeLink.objects.create(
            practice=practice, url="https://example.org/film", title="Film", kind="video"
        ),
    ) == (True, True)
    assert changes(client, path, lambda: PracticeLink.objects.update(title="The film")) == (
        True,
        True,
    )
    assert [link["title"] for link in client.get(path).json()["links"]] == ["The film"]


def test_an_event_record_changes_with_its_sessions(client):
    event = event_make(title="Smart Café")
    path = f"/api/v1/events/{event.slug}"
    assert changes(
        client, path, lambda: Session.objects.create(event=event, title="Welcome", language="en")
    ) == (True, True)


def test_a_record_keeps_its_etag_when_nothing_it_shows_changes(client):
    CommunityFactory(slug="town")
    before = client.get("/api/v1/communities/town")
    PracticeLink.objects.create(
        practice=PracticeFactory(), url="https://example.org/", title="Site", kind="website"
    )
    assert client.get(
        "/api/v1/communities/town", HTTP_IF_NONE_MATCH=before["ETag"]
    ).status_code == (304)
