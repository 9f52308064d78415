"""Keyset (cursor) paging and field selection, as a client sees them."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from villagehub.communities.services import community_update
from villagehub.communities.tests.factories import CommunityFactory, NetworkFactory
from villagehub.events.tests.factories import event_make
from villagehub.practices.models import Practice
from villagehub.practices.tests.factories import PracticeFactory
from villagehub.taxonomy.models import Theme

pytestmark = pytest.mark.django_db


def problem(response, status=400):
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    return json.loads(response.content)


def walk(client, url):
    """Every page from `url` on, following `next`; the slugs in order and the pages."""
    slugs, pages = [], []
    while url:
        page = client.get(url).json()
        pages.append(page)
        slugs += [row["slug"] for row in page["results"]]
        url = page["next"]
    return slugs, pages


@pytest.fixture
def towns():
    # Repeated names: the order (name, id) must still be total across pages.
    names = ["Bygd", "Aby", "Aby", "Cecilienborg", "Aby", "Dalby", "Bygd"]
    return [CommunityFactory(name=name, slug=f"town-{i}") for i, name in enumerate(names)]


def test_cursor_pages_give_every_record_once_in_the_offset_order(client, towns):
    by_offset = [c["slug"] for c in client.get("/api/v1/communities?limit=500").json()["results"]]

    slugs, pages = walk(client, "/api/v1/communities?cursor=&limit=2")

    assert slugs == by_offset
    assert len(pages) == 4
    assert all(page["count"] == 7 and page["offset"] is None for page in pages)
    assert pages[0]["previous"] is None and pages[-1]["next"] is None
    assert "cursor=" in pages[0]["next"] and "offset" not in pages[0]["next"]


def test_previous_links_walk_back_to_the_first_page(client, towns):
    _slugs, pages = walk(client, "/api/v1/communities?cursor=&limit=3")
    url, back = pages[-1]["previous"], []
    while url:
        page = client.get(url).json()
        back = [row["slug"] for row in page["results"]] + back
        url = page["previous"]
    assert back == [row["slug"] for page in pages[:-1] for row in page["results"]]


def test_cursor_keeps_the_filters_and_fields(client, towns):
    community_update(community=towns[1], country="SE")
    community_update(community=towns[2], country="SE")
    community_update(community=towns[3], country="SE")

    slugs, pages = walk(client, "/api/v1/communities?country=se&cursor=&limit=2&fields=slug")

    assert slugs == ["town-1", "town-2", "town-3"]
    assert all(set(row) == {"slug"} for page in pages for row in page["results"])


def test_cursor_pages_of_practices_newest_first_with_equal_times(client):
    now = timezone.now()
    practices = [PracticeFactory(slug=f"p{i}") for i in range(5)]
    for i, practice in enumerate(practices):
        # Two pairs share a creation time: the id decides.
        Practice.objects.filter(pk=practice.pk).update(created_at=now - timedelta(hours=i // 2))

    slugs, _pages = walk(client, "/api/v1/practices?cursor=&limit=2")

    assert slugs == ["p1", "p0", "p3", "p2", "p4"]


def test_cursor_pages_of_events_place_undated_events_last(client):
    event_make(
        title="Undated",
        starts_at=None,
        ends_at=None,
        date_precision="unknown",
        registration_open=False,
    )
    for day in range(3):
        start = timezone.now() - timedelta(days=10 + day)
        event_make(title=f"Day {day}", starts_at=start, ends_at=start + timedelta(hours=1))

    by_offset = [e["slug"] for e in client.get("/api/v1/events?limit=500").json()["results"]]
    slugs, _pages = walk(client, "/api/v1/events?cursor=&limit=1")

    assert slugs == by_offset == ["day-0", "day-1", "day-2", "undated"]


def test_a_deep_cursor_page_reads_no_offset(client, towns):
    next_url = client.get("/api/v1/communities?cursor=&limit=2").json()["next"]
    with CaptureQueriesContext(connection) as queries:
        client.get(next_url)
    page_query = [q["sql"] for q in queries if "LIMIT" in q["sql"]]
    assert page_query and all("OFFSET" not in sql for sql in page_query)


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "eyJwIjoiL2FwaS92MS9jb21tdW5pdGllcyJ9", "x" * 300],
)
def test_a_forged_cursor_names_no_page_a_404_problem_naming_it(client, towns, cursor):
    body = problem(client.get(f"/api/v1/communities?cursor={cursor}"), status=404)
    assert [e["field"] for e in body["errors"]] == ["cursor"]


def test_a_cursor_of_other_characters_is_a_400_problem(client, towns):
    body = problem(client.get("/api/v1/communities?cursor=a%20b"))
    assert [e["field"] for e in body["errors"]] == ["cursor"]


def test_a_tampered_or_foreign_cursor_is_refused(client, towns):
    next_url = client.get("/api/v1/communities?cursor=&limit=2").json()["next"]
    token = next_url.split("cursor=")[1].split("&")[0]
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")

    tampered_page = problem(client.get(f"/api/v1/communities?cursor={tampered}"), status=404)
    assert tampered_page["errors"][0]["field"] == "cursor"
    # A cursor of one list is not a position in another.
    foreign_page = problem(client.get(f"/api/v1/networks?cursor={token}"), status=404)
    assert foreign_page["errors"][0]["field"] == "cursor"


def test_a_cursor_overrides_the_offset(client, towns):
    page = client.get("/api/v1/communities?cursor=&offset=2&limit=2").json()
    first = client.get("/api/v1/communities?cursor=&limit=2").json()
    assert page["offset"] is None
    assert page["results"] == first["results"]


def test_offset_paging_is_unchanged(client, towns):
    page = client.get("/api/v1/communities?limit=2&offset=2").json()
    assert page["offset"] == 2
    assert "offset=4" in page["next"] and "cursor" not in page["next"]


@pytest.mark.parametrize(
    "path", ["/api/v1/communities", "/api/v1/practices", "/api/v1/themes", "/api/v1/countries"]
)
def test_every_list_pages_by_cursor(client, path):
    PracticeFactory()
    response = client.get(f"{path}?cursor=&limit=1")
    assert response.status_code == 200, response.content


def test_fields_choose_what_each_record_carries(client, towns):
    PracticeFactory(slug="sauna", themes=[Theme.objects.get(slug="broadband")])

    communities = client.get("/api/v1/communities?fields=slug,name&limit=2").json()
    practice = client.get("/api/v1/practices/sauna?fields=slug,themes").json()
    practices = client.get("/api/v1/practices?fields=title,community").json()
    town = client.get("/api/v1/communities/town-0?fields=name,representatives").json()

    assert [set(c) for c in communities["results"]] == [{"slug", "name"}] * 2
    assert communities["count"] == 8  # the practice's own community too
    assert practice == {"slug": "sauna", "themes": ["broadband"]}
    assert set(practices["results"][0]) == {"title", "community"}
    assert town == {"name": "Bygd", "representatives": []}
    assert client.get("/api/v1/communities/town-0?fields=url").json() == {
        "url": "http://testserver/communities/town-0/"
    }
    assert client.get("/api/v1/practices?fields=url").json()["results"] == [
        {"url": "http://testserver/practices/sauna/"}
    ]


def test_related_records_are_listed_in_their_own_order(client):
    network_b, network_a = NetworkFactory(name="B network"), NetworkFactory(name="A network")
    themes = list(Theme.objects.order_by("position", "name")[:3])
    town = CommunityFactory(slug="town")
    town.themes.set(reversed(themes))
    town.networks.set([network_b, network_a])
    town.goals.set([11, 2])
    practice = PracticeFactory(slug="sauna", community=town, themes=list(reversed(themes)))
    practice.goals.set([17, 1])

    listed = client.get("/api/v1/communities?fields=themes,goals,networks").json()["results"][0]
    record = client.get("/api/v1/practices/sauna?fields=themes,goals").json()

    assert listed == {
        "themes": [t.slug for t in themes],
        "goals": [2, 11],
        "networks": [network_a.slug, network_b.slug],
    }
    assert record == {"themes": [t.slug for t in themes], "goals": [1, 17]}


def test_fields_read_only_the_relations_asked_for(client, django_assert_max_num_queries):
    for _ in range(5):
        PracticeFactory(themes=[Theme.objects.get(slug="broadband")])
    # Count, latest change, the page: no prefetch of themes, goals, links...
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/practices?fields=slug,title")
    assert len(response.json()["results"]) == 5


@pytest.mark.parametrize(
    "path", ["/api/v1/communities", "/api/v1/communities/town-0", "/api/v1/practices"]
)
def test_an_unknown_field_is_a_problem_naming_it(client, towns, path):
    body = problem(client.get(f"{path}?fields=slug,population_density"))
    assert body["errors"] == [{"field": "fields", "reason": "unknown field: population_density"}]


def test_the_etag_differs_by_fields(client, towns):
    full = client.get("/api/v1/communities/town-0")
    some = client.get("/api/v1/communities/town-0?fields=slug")

    assert full["ETag"] != some["ETag"]
    assert (
        client.get(
            "/api/v1/communities/town-0?fields=slug", HTTP_IF_NONE_MATCH=full["ETag"]
        ).status_code
        == 200
    )
    assert (
        client.get(
            "/api/v1/communities/town-0?fields=slug", HTTP_IF_NONE_MATCH=some["ETag"]
        ).status_code
        == 304
    )


def test_community_list_reads_only_the_relations_it_shows(
    client, towns, django_assert_max_num_queries
):
    # Counts and latest changes of communities and networks, the page, then themes, goals
    # and networks of the page (not representatives, which only the record shows).
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/communities")
    assert len(response.json()["results"]) == 7
