import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from villagehub.core.uploads import UploadValidator

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64

check = UploadValidator(max_bytes=1024)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.png", PNG),
        ("report.pdf", PDF),
        ("data.csv", b"name,population\nTorup,420\nRaudanmaa,500\n"),
        ("data.json", '{"name": "Jožef"}'.encode()),
    ],
)
def test_files_that_are_what_their_name_says_pass(name, content):
    check(SimpleUploadedFile(name, content))


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("photo.png", PDF, "does not match its name"),
        ("report.pdf", b"<script>alert(1)</script>", "does not match its name"),
        ("data.csv", PNG, "not UTF-8 text"),
        ("data.csv", b"\xff\xfe" + "a,b".encode("utf-16-le"), "not UTF-8 text"),
        ("big.csv", b"a" * 2048, "too large"),
        ("page.html", b"<html></html>", "does not match its name"),
    ],
)
def test_files_that_are_not_what_they_say_are_refused(name, content, reason):
    with pytest.raises(ValidationError) as error:
        check(SimpleUploadedFile(name, content))
    assert reason in " ".join(error.value.messages)


@pytest.mark.django_db
def test_uploads_are_served_as_downloads_that_cannot_run(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "catalogue").mkdir()
    (tmp_path / "catalogue" / "data.csv").write_text("a,b\n1,2\n")
    (tmp_path / "catalogue" / "map.png").write_bytes(PNG)
    response = client.get("/media/catalogue/data.csv")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == b"a,b\n1,2\n"
    assert client.get("/media/catalogue/map.png")["Content-Disposition"].startswith("inline")
    assert client.get("/media/../settings.py").status_code == 404
    assert client.get("/media/catalogue/none.csv").status_code == 404


@pytest.mark.django_db
def test_practice_image_needs_a_description_and_real_image_content(settings, tmp_path, client):
    from villagehub.practices.services import practice_create

    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError) as error:
        practice_create(title="Sauna", summary="A sauna.", image=SimpleUploadedFile("s.png", PNG))
    assert "image_alt" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        practice_create(
            title="Sauna",
            summary="A sauna.",
            image=SimpleUploadedFile("s.png", PDF),
            image_alt="The sauna",
        )
    assert "does not match its name" in " ".join(error.value.message_dict["image"])
    practice = practice_create(
        title="Sauna",
        summary="A sauna.",
        image=SimpleUploadedFile("s.png", PNG),
        image_alt="The village sauna by the lake",
    )
    page = client.get(practice.get_absolute_url()).content.decode()
    assert f'src="{practice.image.url}" alt="The village sauna by the lake"' in page
    assert client.get(practice.image.url)["Content-Type"] == "image/png"
