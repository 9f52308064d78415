"""The read API as a client sees it: pages, filters, problem details, caching, CORS."""

import json
import os
from pathlib import Path

import pytest
from django.utils import timezone

from villagehub.api import api
from villagehub.communities.services import community_create, community_update
from villagehub.communities.tests.factories import CommunityFactory, NetworkFactory
from villagehub.practices.tests.factories import PracticeFactory
from villagehub.taxonomy.models import Theme

SNAPSHOT = Path(__file__).parent / "snapshots" / "openapi.json"

pytestmark = pytest.mark.django_db


def problem(response):
    assert response["Content-Type"] == "application/problem+json"
    return json.loads(response.content)


def test_openapi_schema_matches_the_snapshot(client):
    """Changing the API changes this file: review the diff, then UPDATE_SNAPSHOTS=1 pytest."""
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    assert schema == json.loads(SNAPSHOT.read_text())


def test_community_list_pages_in_a_stable_order(client):
    for name in ["Cecilienborg", "Aby", "Bygd"]:
        CommunityFactory(name=name, slug=name.lower())

    first = client.get("/api/v1/communities?limit=2").json()
    second = client.get(first["next"]).json()

    assert [c["slug"] for c in first["results"]] == ["aby", "bygd"]
    assert first["count"] == 3
    assert first["previous"] is None
    assert [c["slug"] for c in second["results"]] == ["cecilienborg"]
    assert second["next"] is None
    assert second["previous"] == "http://testserver/api/v1/communities?limit=2&offset=0"


def test_community_list_takes_the_filters_of_the_page(client):
    network = NetworkFactory(slug="smart-rural")
    broadband = Theme.objects.get(slug="broadband")
    tagged = CommunityFactory(slug="fibre-village", country="LV", population=800)
    tagged.themes.set([broadband])
    tagged.networks.set([network])
    CommunityFactory(slug="other-village", country="LV", population=800)
    CommunityFactory(slug="danish-village", country="DK")

    def slugs(query):
        response = client.get(f"/api/v1/communities?{query}")
        assert response.status_code == 200, response.content
        return [c["slug"] for c in response.json()["results"]]

    assert slugs("country=lv") == ["fibre-village", "other-village"]
    assert slugs("country=LV&theme=broadband") == ["fibre-village"]
    assert slugs("network=smart-rural") == ["fibre-village"]
    assert slugs("size=under-2000") == ["fibre-village", "other-village"]


def test_text_query_uses_the_full_text_engine_in_any_language(client):
    community_create(name="Torup", kind="village", country="DK", description="Landsbyens ting")
    community_create(name="Lohja", kind="town", country="FI")

    response = client.get("/api/v1/communities?q=torup")

    assert [c["slug"] for c in response.json()["results"]] == ["torup"]


def test_community_detail_gives_representatives_and_translations(client):
    community_create(
        name="Torup",
        kind="village",
        country="DK",
        description="A village.",
        translations={"sv": {"description": "En by."}},
        representatives=[{"name": "Anna", "role": "chair"}],
    )

    data = client.get("/api/v1/communities/torup").json()

    assert data["representatives"] == [{"name": "Anna", "role": "chair"}]
    assert data["translations"] == {"sv": {"description": "En by."}}
    assert data["language"] == "en"
    assert data["url"] == "http://testserver/communities/torup/"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=abc", "limit"),
        ("limit=100000", "limit"),
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
        ("colour=red", "colour"),
        ("country=zzz", "country"),
        ("theme=no%20such%20theme", "theme"),
        ("kind=castle", "kind"),
        ("fields=slug,", "fields"),
        ("fields=slug,%20name", "fields"),
    ],
)
def test_bad_query_is_a_problem_naming_the_field(client, query, field):
    response = client.get(f"/api/v1/communities?{query}")

    assert response.status_code == 400
    body = problem(response)
    assert body["status"] == 400
    assert body["title"] == "Invalid query parameters"
    assert body["instance"] == f"/api/v1/communities?{query}"
    assert [e["field"] for e in body["errors"]] == [field]
    assert all(e["reason"] for e in body["errors"])


@pytest.mark.parametrize(
    "query", ["country=zz", "theme=no-such-theme", "network=no-such-network", "country=AA"]
)
def test_a_well_formed_filter_naming_nothing_matches_nothing(client, query):
    CommunityFactory()
    response = client.get(f"/api/v1/communities?{query}")
    assert response.status_code == 200
    assert (response.json()["count"], response.json()["results"]) == (0, [])


def test_missing_record_is_a_problem(client):
    response = client.get("/api/v1/practices/no-such-practice")

    assert response.status_code == 404
    assert problem(response)["title"] == "Not found"


def test_conditional_get_answers_304_until_the_data_changes(client):
    community = community_create(name="Torup", kind="village", country="DK")
    first = client.get("/api/v1/communities")
    etag, last_modified = first["ETag"], first["Last-Modified"]

    again = client.get("/api/v1/communities", HTTP_IF_NONE_MATCH=etag)
    since = client.get("/api/v1/communities", HTTP_IF_MODIFIED_SINCE=last_modified)
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)
    assert since.status_code == 304

    community_update(community=community, region="Zealand")
    changed = client.get("/api/v1/communities", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_deleting_a_record_changes_the_etag(client):
    community_create(name="Torup", kind="village", country="DK")
    gone = community_create(name="Lohja", kind="town", country="FI")
    etag = client.get("/api/v1/communities")["ETag"]

    gone.delete()

    assert client.get("/api/v1/communities", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_detail_etag_follows_the_record(client):
    community = community_create(name="Torup", kind="village", country="DK")
    etag = client.get("/api/v1/communities/torup")["ETag"]
    assert client.get("/api/v1/communities/torup", HTTP_IF_NONE_MATCH=etag).status_code == 304

    community_update(community=community, population=300)

    assert client.get("/api/v1/communities/torup", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_reads_are_open_to_every_origin(client):
    response = client.get("/api/v1/sdgs", HTTP_ORIGIN="https://example.org")
    preflight = client.options(
        "/api/v1/sdgs",
        HTTP_ORIGIN="https://example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    page = client.get("/communities/")

    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert preflight.status_code == 204
    assert "If-None-Match" in preflight["Access-Control-Allow-Headers"]
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD"
    assert "Access-Control-Allow-Origin" not in page


def test_practice_list_is_newest_first_and_hides_drafts(client):
    older = PracticeFactory(slug="older")
    newer = PracticeFactory(slug="newer")
    PracticeFactory(slug="draft", is_published=False)
    type(older).objects.filter(pk=older.pk).update(
        created_at=timezone.now() - timezone.timedelta(days=1)
    )

    data = client.get("/api/v1/practices").json()

    assert [p["slug"] for p in data["results"]] == [newer.slug, older.slug]
    assert data["results"][0]["community"] == newer.community.slug


def test_practice_list_answers_in_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    for _ in range(5):
        PracticeFactory(themes=[Theme.objects.get(slug="broadband")])
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/practices")
    assert response.json()["count"] == 5


def test_vocabularies(client):
    goal = client.get("/api/v1/sdgs/11").json()
    themes = client.get("/api/v1/themes?limit=500").json()

    assert goal["title"] == "Sustainable cities and communities"
    assert goal["titles"]["fr"] == "Villes et communautés durables"
    assert themes["count"] == Theme.objects.count()
    assert "broadband" in [t["slug"] for t in themes["results"]]


def test_documentation_page_lists_every_operation(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    for path, operations in api.get_openapi_schema(path_prefix="/api/v1")["paths"].items():
        for method in operations:
            assert f"{method.upper()} {path}".encode() in response.content
    assert b"<script" not in response.content
    assert client.get("/api/v1/")["Location"] == "/api/v1/docs"
