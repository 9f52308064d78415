"""An editor proposes a practice or a change to one; a coordinator returns or publishes it."""

import pytest
from django.core import mail

from villagehub.accounts.tests.helpers import sign_in
from villagehub.contributions.models import Submission
from villagehub.contributions.tests.factories import PROPOSAL
from villagehub.practices.models import Practice

pytestmark = pytest.mark.django_db


def test_an_editor_sends_an_image_with_a_practice_and_it_is_published_with_it(
    client, world, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    town = world["town_a"]
    url = f"/contribute/communities/{town.slug}/practices/new/"
    client.force_login(world["editor_a"])
    assert 'enctype="multipart/form-data"' in client.get(url).content.decode()
    # No description, then content that is not an image: each refused on its field.
    page = client.post(
        url, {**PROPOSAL, "image": SimpleUploadedFile("sauna.png", png), "submit": "1"}
    )
    assert list(page.context["form"].errors) == ["image_alt"]
    page = client.post(
        url,
        {
            **PROPOSAL,
            "image": SimpleUploadedFile("sauna.png", b"%PDF-1.4 not an image"),
            "image_alt": "The sauna by the lake",
            "submit": "1",
        },
    )
    assert "does not match its name" in page.context["form"].errors["image"][0]
    assert not Submission.objects.exists()

    client.post(
        url,
        {
            **PROPOSAL,
            "image": SimpleUploadedFile("sauna.png", png),
            "image_alt": "The sauna by the lake",
            "submit": "1",
        },
    )
    submission = Submission.objects.get()
    assert submission.image.name.startswith("submissions/")
    assert submission.image.name != "submissions/sauna.png"  # not found by guessing

    sign_in(client, world["coordinator_a"])
    assert (
        submission.image.url in client.get(f"/contribute/review/{submission.pk}/").content.decode()
    )
    client.post(f"/contribute/review/{submission.pk}/", {"action": "publish"})
    practice = Practice.objects.get(title=PROPOSAL["title"])
    assert practice.image_alt == "The sauna by the lake"
    assert practice.image.read() == png
    page = client.get(practice.get_absolute_url()).content.decode()
    assert 'alt="The sauna by the lake"' in page


def test_editor_proposes_coordinator_returns_then_publishes_and_history_is_kept(
    client, world, django_capture_on_commit_callbacks
):
    town = world["town_a"]
    client.force_login(world["editor_a"])
    client.post(f"/contribute/communities/{town.slug}/practices/new/", {**PROPOSAL, "submit": "1"})
    submission = Submission.objects.get()
    assert submission.status == "submitted"
    assert not Practice.objects.filter(title=PROPOSAL["title"]).exists()

    sign_in(client, world["coordinator_a"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/contribute/review/{submission.pk}/", {"comment": "Add the results."})
    submission.refresh_from_db()
    assert (submission.status, submission.comment) == ("returned", "Add the results.")
    assert mail.outbox[-1].subject == "Returned with a comment: Village sauna cooperative"
    assert "Add the results." in mail.outbox[-1].body

    client.force_login(world["editor_a"])
    client.post(
        f"/contribute/submissions/{submission.pk}/",
        {**PROPOSAL, "results": "40 members.", "submit": "1"},
    )
    sign_in(client, world["coordinator_a"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/contribute/review/{submission.pk}/", {"action": "publish"})
    practice = Practice.objects.get(title=PROPOSAL["title"])
    assert (practice.is_published, practice.results, practice.community) == (
        True,
        "40 members.",
        town,
    )
    assert [t.slug for t in practice.themes.all()] == ["cooperatives"]
    assert mail.outbox[-1].subject == "Published: Village sauna cooperative"

    # A change to the published practice: the old values are kept with who and when.
    client.force_login(world["editor_a"])
    client.post(
        f"/contribute/practices/{practice.slug}/edit/",
        {**PROPOSAL, "title": "Sauna co-op", "submit": "1"},
    )
    change = Submission.objects.get(status="submitted")
    assert Practice.objects.get(pk=practice.pk).title == PROPOSAL["title"]  # not yet
    sign_in(client, world["coordinator_a"])
    client.post(f"/contribute/review/{change.pk}/", {"action": "publish"})
    change.refresh_from_db()
    assert change.previous["title"] == PROPOSAL["title"]
    assert change.decided_by == world["coordinator_a"]
    assert Practice.objects.get(pk=practice.pk).title == "Sauna co-op"


def test_invalid_proposal_names_the_field(client, world):
    client.force_login(world["editor_a"])
    response = client.post(
        f"/contribute/communities/{world['town_a'].slug}/practices/new/",
        {**PROPOSAL, "title": "", "submit": "1"},
    )
    assert response.status_code == 400
    assert 'href="#id_title"' in response.content.decode()
    assert not Submission.objects.exists()
