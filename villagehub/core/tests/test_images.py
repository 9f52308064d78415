"""Uploaded images are shown in responsive sizes made once, after upload: WebP and JPEG
copies 320, 640 and 1280 pixels wide, with the original's size for `width` and `height`."""

from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image

from villagehub.communities.services import community_update
from villagehub.communities.tests.factories import CommunityFactory
from villagehub.core.images import variant_name
from villagehub.news.services import news_update
from villagehub.news.tests.factories import NewsItemFactory
from villagehub.practices.models import Practice
from villagehub.practices.services import practice_create, practice_update

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def picture(name: str, size=(2000, 1000), kind="JPEG", mode="RGB") -> ContentFile:
    buffer = BytesIO()
    Image.new(mode, size, (30, 120, 60, 128) if mode == "RGBA" else (30, 120, 60)).save(
        buffer, kind
    )
    return ContentFile(buffer.getvalue(), name=name)


def sauna(image, **fields) -> Practice:
    return practice_create(
        title="Village sauna",
        summary="The village runs its sauna.",
        community=CommunityFactory.create(),
        image=image,
        image_alt="The sauna by the lake",
        **fields,
    )


def test_an_uploaded_image_gets_its_sizes_in_webp_and_jpeg(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        practice = sauna(picture("sauna.jpg"))
    practice.refresh_from_db()
    name = practice.image.name
    assert practice.image_variants == {
        "name": name,
        "width": 2000,
        "height": 1000,
        "widths": [320, 640, 1280],
    }
    for width in (320, 640, 1280):
        for extension, kind in (("webp", "WEBP"), ("jpg", "JPEG")):
            with default_storage.open(variant_name(name, width, extension)) as file:
                copy = Image.open(file)
                assert (copy.format, copy.size) == (kind, (width, width // 2))
    assert variant_name(name, 640, "webp") == f"sizes/{name.rsplit('.', 1)[0]}-640w.webp"


def test_a_small_image_is_not_enlarged_and_transparency_goes_on_white_in_jpeg(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        practice = sauna(picture("icon.png", size=(200, 100), kind="PNG", mode="RGBA"))
    practice.refresh_from_db()
    assert practice.image_variants["widths"] == [200]
    with default_storage.open(variant_name(practice.image.name, 200, "webp")) as file:
        assert Image.open(file).mode == "RGBA"
    with default_storage.open(variant_name(practice.image.name, 200, "jpg")) as file:
        assert Image.open(file).mode == "RGB"


def test_cards_show_the_sizes_lazily_with_their_description_or_a_placeholder(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        practice = sauna(picture("sauna.jpg"))
    practice_create(title="No picture", summary="None.", community=practice.community)
    practice.refresh_from_db()
    stem = "/media/sizes/" + practice.image.name.rsplit(".", 1)[0]
    page = client.get("/practices/").content.decode()
    sizes = "(min-width: 40rem) 24rem, 100vw"
    assert (
        f'<source type="image/webp" srcset="{stem}-320w.webp 320w, {stem}-640w.webp 640w, '
        f'{stem}-1280w.webp 1280w" sizes="{sizes}">'
    ) in page
    assert (
        f'<img class="card-picture" src="{stem}-640w.jpg" srcset="{stem}-320w.jpg 320w, '
        f'{stem}-640w.jpg 640w, {stem}-1280w.jpg 1280w" sizes="{sizes}" width="2000" '
        'height="1000" alt="The sauna by the lake" loading="lazy" decoding="async">'
    ) in page
    assert page.count('<span class="card-picture placeholder"></span>') == 1
    assert client.get(f"{stem}-640w.webp").status_code == 200
    detail = client.get(practice.get_absolute_url()).content.decode()
    assert f'srcset="{stem}-320w.webp 320w' in detail


def test_before_its_sizes_are_made_a_card_shows_the_uploaded_image(client):
    practice = sauna(picture("sauna.jpg"))  # the task runs after the commit, not here
    page = client.get("/").content.decode()
    assert (
        f'<img class="card-picture" src="/media/{practice.image.name}" '
        'alt="The sauna by the lake" loading="lazy" decoding="async">'
    ) in page


def test_a_new_image_replaces_the_sizes_of_the_old_one(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        practice = sauna(picture("sauna.jpg"))
    old = variant_name(practice.image.name, 640, "webp")
    assert default_storage.exists(old)
    with django_capture_on_commit_callbacks(execute=True):
        practice_update(practice=practice, image=picture("lake.jpg", size=(800, 600)))
    practice.refresh_from_db()
    assert practice.image_variants["widths"] == [320, 640]
    assert (practice.image_variants["width"], practice.image_variants["height"]) == (800, 600)
    assert not default_storage.exists(old)
    lake = variant_name(practice.image.name, 320, "jpg")
    assert default_storage.exists(lake)
    with django_capture_on_commit_callbacks(execute=True):
        practice_update(practice=practice, image="")
    practice.refresh_from_db()
    assert practice.image_variants == {}
    assert not default_storage.exists(lake)


def test_news_images_get_their_sizes_and_show_on_news_cards(
    client, django_capture_on_commit_callbacks
):
    item = NewsItemFactory()
    with django_capture_on_commit_callbacks(execute=True):
        news_update(item=item, by=None, image=picture("cafe.jpg"), image_alt="Coffee cups")
    item.refresh_from_db()
    assert item.image_variants["widths"] == [320, 640, 1280]
    page = client.get("/news/").content.decode()
    assert 'width="2000" height="1000" alt="Coffee cups" loading="lazy"' in page


def test_the_command_makes_the_sizes_of_images_that_have_none(capsys):
    practice = sauna(picture("sauna.jpg"))  # uploaded before the hub made sizes
    unreadable = sauna(ContentFile(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, name="broken.png"))
    call_command("image_sizes")
    assert capsys.readouterr().out == "Sizes made for 1 image.\n"
    practice.refresh_from_db()
    unreadable.refresh_from_db()
    assert practice.image_variants["widths"] == [320, 640, 1280]
    assert unreadable.image_variants == {"name": unreadable.image.name, "widths": []}
    call_command("image_sizes")  # nothing left to do
    assert capsys.readouterr().out == "Sizes made for 0 images.\n"
    call_command("image_sizes", "--again")
    assert capsys.readouterr().out == "Sizes made for 1 image.\n"


def test_each_illustrated_model_uploads_to_its_own_folder(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        practice = sauna(picture("sauna.jpg"))
        town = CommunityFactory.create()
        community_update(community=town, image=picture("hall.jpg"), image_alt="The hall")
        item = NewsItemFactory.create()
        news_update(item=item, by=None, image=picture("cafe.jpg"), image_alt="Coffee cups")

    year = practice.created_at.year
    assert practice.image.name.startswith(f"practices/{year}/sauna")
    assert town.image.name.startswith(f"communities/{year}/hall")
    assert item.image.name.startswith(f"news/{year}/cafe")
