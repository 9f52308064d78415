"""Community and practice images in the API: the published image with its description and
absolute addresses of the upload and its sizes, which answer; a proposed image only once a
coordinator has published it."""

from io import BytesIO
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from villagehub.accounts.tests.factories import person
from villagehub.communities.services import community_update
from villagehub.communities.tests.factories import CommunityFactory, NetworkFactory
from villagehub.contributions import selectors as proposals
from villagehub.contributions.models import Submission
from villagehub.contributions.services import submission_publish, submission_save
from villagehub.practices.services import practice_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def jpeg(name: str, size=(1600, 800)) -> ContentFile:
    buffer = BytesIO()
    Image.new("RGB", size, (30, 120, 60)).save(buffer, "JPEG")
    return ContentFile(buffer.getvalue(), name=name)


def fetched(client, url: str):
    """GET an absolute URL of the answer on the test server; the response if it answers."""
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("http", "testserver"), url
    response = client.get(parts.path)
    assert response.status_code == 200, url
    return response


@pytest.fixture
def town_with_editors():
    network = NetworkFactory()
    town = CommunityFactory(slug="torup")
    town.networks.add(network)
    return {
        "town": town,
        "editor": person("editor", community_editor=town),
        "coordinator": person("coordinator", coordinator=network),
    }


def test_a_community_image_appears_only_once_published_with_its_description_and_sizes(
    client, town_with_editors, django_capture_on_commit_callbacks
):
    town = town_with_editors["town"]
    data = {**proposals.community_values(town), "image_alt": "The village hall in snow"}
    submission = submission_save(
        author=town_with_editors["editor"],
        community=town,
        kind=Submission.Kind.COMMUNITY,
        data=data,
        image=jpeg("hall.jpg"),
        submit=True,
    )

    # Proposed, not reviewed: nothing to show.
    assert client.get("/api/v1/communities/torup").json()["image"] is None
    listed = client.get("/api/v1/communities?fields=slug,image").json()["results"]
    assert listed == [{"slug": "torup", "image": None}]

    with django_capture_on_commit_callbacks(execute=True):
        submission_publish(submission=submission, by=town_with_editors["coordinator"])
    town.refresh_from_db()
    image = client.get("/api/v1/communities/torup").json()["image"]

    stem = town.image.name.rsplit("/", 1)[-1].removesuffix(".jpg")
    folder = town.image.name.rsplit("/", 1)[0]
    assert image == {
        "url": f"http://testserver/media/{town.image.name}",
        "description": "The village hall in snow",
        "width": 1600,
        "height": 800,
        "sizes": [
            {
                "width": width,
                "webp": f"http://testserver/media/sizes/{folder}/{stem}-{width}w.webp",
                "jpeg": f"http://testserver/media/sizes/{folder}/{stem}-{width}w.jpg",
            }
            for width in (320, 640, 1280)
        ],
    }
    assert fetched(client, image["url"])["Content-Type"] == "image/jpeg"
    for size in image["sizes"]:
        assert fetched(client, size["webp"])["Content-Type"] == "image/webp"
        with Image.open(BytesIO(b"".join(fetched(client, size["jpeg"]).streaming_content))) as copy:
            assert (copy.format, copy.width) == ("JPEG", size["width"])
    listed = client.get("/api/v1/communities?fields=slug,image").json()["results"]
    assert listed == [{"slug": "torup", "image": image}]


def test_a_practice_keeps_its_published_image_while_a_new_one_waits_for_review(
    client, town_with_editors, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        practice = practice_create(
            slug="village-sauna",
            title="Village sauna",
            summary="The village runs its sauna.",
            community=town_with_editors["town"],
            image=jpeg("sauna.jpg", size=(800, 600)),
            image_alt="The sauna by the lake",
        )
    practice_create(slug="no-picture", title="Bus", summary="A village bus.")
    published = client.get("/api/v1/practices/village-sauna").json()["image"]
    assert published["description"] == "The sauna by the lake"
    assert (published["width"], published["height"]) == (800, 600)
    assert [size["width"] for size in published["sizes"]] == [320, 640]
    assert fetched(client, published["url"])["Content-Type"] == "image/jpeg"

    submission_save(
        author=town_with_editors["editor"],
        community=town_with_editors["town"],
        practice=practice,
        data={**proposals.practice_values(practice), "image_alt": "The new sauna"},
        image=jpeg("new-sauna.jpg"),
        submit=True,
    )

    assert client.get("/api/v1/practices/village-sauna").json()["image"] == published
    listed = client.get("/api/v1/practices?fields=slug,image").json()["results"]
    assert listed == [
        {"slug": "no-picture", "image": None},
        {"slug": "village-sauna", "image": published},
    ]


def test_an_image_whose_sizes_are_not_made_yet_is_shown_as_uploaded(client):
    town = CommunityFactory(slug="torup")
    # No commit callbacks run: the task that makes the sizes has not run.
    community_update(community=town, image=jpeg("hall.jpg"), image_alt="The hall")
    town.refresh_from_db()

    image = client.get("/api/v1/communities/torup").json()["image"]

    assert image == {
        "url": f"http://testserver/media/{town.image.name}",
        "description": "The hall",
        "width": None,
        "height": None,
        "sizes": [],
    }
