"""Bulk downloads of the public lists: streamed, complete, and without drafts."""

import csv
import io
import json
from decimal import Decimal
from io import BytesIO
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from villagehub.communities.models import Community
from villagehub.communities.services import community_update
from villagehub.communities.tests.factories import CommunityFactory
from villagehub.interchange.downloads import DOWNLOADS
from villagehub.interchange.services import import_text
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


def test_community_and_practice_downloads_give_the_published_image_and_import_back(
    client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    buffer = BytesIO()
    Image.new("RGB", (700, 350), (30, 120, 60)).save(buffer, "JPEG")
    town = CommunityFactory(slug="torup")
    with django_capture_on_commit_callbacks(execute=True):
        community_update(
            community=town, image=ContentFile(buffer.getvalue(), "hall.jpg"), image_alt="The hall"
        )
    town.refresh_from_db()
    PracticeFactory(slug="bus")

    text = body(client.get("/downloads/communities.csv"))
    rows = {row["slug"]: row for row in csv.DictReader(io.StringIO(text))}
    image = json.loads(rows["torup"]["image"])
    practices = json.loads(body(client.get("/downloads/practices.json")))

    # Files are read without a request: their addresses are on the hub's public address.
    assert image["url"] == f"https://hub.example.org/media/{town.image.name}"
    assert (image["description"], image["width"], image["height"]) == ("The hall", 700, 350)
    assert [size["width"] for size in image["sizes"]] == [320, 640]
    for url in [image["url"], *(size[f] for size in image["sizes"] for f in ("webp", "jpeg"))]:
        assert client.get(urlsplit(url).path).status_code == 200, url
    assert [(p["slug"], p["image"]) for p in practices] == [("bus", None)]
    assert [rows[slug]["image"] for slug in rows if slug != "torup"] == [""]
    # The image column is read only: the download imports back, the picture unchanged.
    assert import_text("communities.csv", text).counts == {"communities": 2}
    assert Community.objects.get(slug="torup").image.name == town.image.name
