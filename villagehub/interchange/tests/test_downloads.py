"""Bulk downloads of the public lists: streamed, complete, and without drafts."""

import csv
import io
import json
from decimal import Decimal

import pytest

from villagehub.communities.tests.factories import CommunityFactory
from villagehub.interchange.downloads import DOWNLOADS
from villagehub.practices.tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db


def body(response):
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def test_communities_csv_lists_every_community_with_a_header(client):
    CommunityFactory(
        slug="torup", name="Torup", latitude=Decimal("55.94"), longitude=Decimal("11.95")
    )
    CommunityFactory(slug="lohja", name="Lohja", country="FI")

    response = client.get("/downloads/communities.csv")
    rows = list(csv.DictReader(io.StringIO(body(response))))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="communities.csv"'
    assert [(r["slug"], r["country"]) for r in rows] == [("lohja", "FI"), ("torup", "DK")]


def test_practices_json_leaves_drafts_out(client):
    PracticeFactory(slug="published")
    PracticeFactory(slug="draft", is_published=False)

    records = json.loads(body(client.get("/downloads/practices.json")))

    assert [r["slug"] for r in records] == ["published"]


def test_communities_geojson_is_a_feature_collection_of_located_communities(client):
    CommunityFactory(slug="torup", latitude=Decimal("55.94"), longitude=Decimal("11.95"))
    CommunityFactory(slug="nowhere")

    data = json.loads(body(client.get("/downloads/communities.geojson")))

    assert data["type"] == "FeatureCollection"
    assert [f["id"] for f in data["features"]] == ["torup"]
    assert data["features"][0]["geometry"] == {"type": "Point", "coordinates": [11.95, 55.94]}
    assert data["features"][0]["properties"]["url"] == "http://testserver/communities/torup/"


@pytest.mark.parametrize("name", sorted(DOWNLOADS))
@pytest.mark.parametrize("extension", ["csv", "json"])
def test_every_public_list_downloads(client, name, extension):
    response = client.get(f"/downloads/{name}.{extension}")

    text = body(response)
    if extension == "json":
        assert isinstance(json.loads(text), list)
    else:
        assert text.startswith(",".join(DOWNLOADS[name].columns))
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "path", ["/downloads/events.csv", "/downloads/themes.geojson", "/downloads/communities.xlsx"]
)
def test_unknown_download_is_not_found(client, path):
    assert client.get(path).status_code == 404


def test_a_big_list_is_read_in_chunks(client, django_assert_max_num_queries):
    for n in range(30):
        CommunityFactory(slug=f"village-{n:02}")

    with django_assert_max_num_queries(10):
        rows = body(client.get("/downloads/communities.csv")).splitlines()

    assert len(rows) == 31
