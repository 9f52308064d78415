"""Communities and organisations: proposing a new community, and editors' profile changes."""

from io import BytesIO

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from villagehub.accounts.models import Role
from villagehub.accounts.tests.factories import person
from villagehub.accounts.tests.helpers import sign_in
from villagehub.contributions.models import Submission
from villagehub.contributions.tests.factories import NEW_COMMUNITY

pytestmark = pytest.mark.django_db


def test_a_person_proposes_a_community_not_yet_in_the_hub_and_then_edits_it(
    client, world, django_capture_on_commit_callbacks
):
    from villagehub.communities.models import Community
    from villagehub.core.models import Revision

    network = world["town_a"].networks.get()
    other = world["town_b"].networks.get()
    client.force_login(world["participant"])
    assert "/contribute/communities/new/" in client.get("/communities/").content.decode()
    page = client.get("/contribute/communities/new/")
    assert page.status_code == 200
    # Bad input: told what is wrong and where, nothing stored.
    bad = client.post(
        "/contribute/communities/new/",
        {**NEW_COMMUNITY, "name": "", "population": "-3", "network": network.pk, "submit": "1"},
    )
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) == {"name", "population"}
    twin = client.post(
        "/contribute/communities/new/",
        {
            **NEW_COMMUNITY,
            "name": world["town_a"].name,
            "country": world["town_a"].country.code,
            "network": network.pk,
            "submit": "1",
        },
    )
    assert "already in the hub" in twin.context["form"].errors["name"][0]
    assert not Submission.objects.exists()

    client.post(
        "/contribute/communities/new/", {**NEW_COMMUNITY, "network": network.pk, "submit": "1"}
    )
    submission = Submission.objects.get()
    assert (submission.kind, submission.status, str(submission)) == (
        "new_community",
        "submitted",
        "Raudanmaa",
    )
    assert not Community.objects.filter(name="Raudanmaa").exists()

    # Only the coordinators of the network it asks to join review it.
    outsider = person("coordinator_b", coordinator=other)
    sign_in(client, outsider)
    assert client.get(f"/contribute/review/{submission.pk}/").status_code == 404
    sign_in(client, world["coordinator_a"])
    assert list(client.get("/contribute/").context["review_submissions"]) == [submission]
    assert "Raudanmaa" in client.get(f"/contribute/review/{submission.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/contribute/review/{submission.pk}/", {"action": "publish"})

    community = Community.objects.get(name="Raudanmaa")
    assert (community.country.code, community.population, community.language) == ("FI", 140, "fi")
    assert list(community.networks.all()) == [network]
    assert [t.slug for t in community.themes.all()] == ["broadband"]
    assert Role.objects.filter(
        user=world["participant"], kind="community_editor", community=community
    ).exists()
    assert Revision.objects.get(object_id=str(community.pk)).via == "review"
    assert community.get_absolute_url() in client.get("/search/?q=raudanmaa").content.decode()
    (message,) = mail.outbox
    assert message.to == ["participant@example.org"]
    client.force_login(world["participant"])
    assert client.get(f"/contribute/communities/{community.slug}/edit/").status_code == 200


def test_editor_proposes_a_new_community_profile_that_a_coordinator_publishes(client, world):
    town = world["town_a"]
    client.force_login(world["editor_a"])
    assert client.get(f"/contribute/communities/{world['town_b'].slug}/edit/").status_code == 404
    client.post(
        f"/contribute/communities/{town.slug}/edit/",
        {
            "description": "A lively village.",
            "population": "420",
            "population_year": "2024",
            "themes": ["cooperatives"],
            "submit": "1",
        },
    )
    submission = Submission.objects.get(kind="community")
    town.refresh_from_db()
    assert town.description != "A lively village."  # not before review
    bad = client.post(
        f"/contribute/communities/{town.slug}/edit/",
        {"population_year": "2024", "submit": "1"},
    )
    assert bad.status_code == 400  # a year without a population, named on the field
    sign_in(client, world["coordinator_a"])
    client.post(f"/contribute/review/{submission.pk}/", {"action": "publish"})
    town.refresh_from_db()
    assert (town.description, town.population, town.population_year) == (
        "A lively village.",
        420,
        2024,
    )
    assert [t.slug for t in town.themes.all()] == ["cooperatives"]
    submission.refresh_from_db()
    assert submission.previous["population"] is None


def test_organisation_editor_proposes_a_profile_the_back_office_publishes(client, world):
    from django.contrib.auth.models import Permission

    from villagehub.organisations.models import Organisation

    telia = Organisation.objects.create(slug="telia", name="Telia", kind="solution_provider")
    editor = person("telia_editor", organisation_editor=telia)
    client.force_login(editor)
    assert client.get("/contribute/").context["organisations"].get() == telia
    client.post(
        "/contribute/organisations/telia/edit/",
        {"acronym": "TLA", "website": "https://www.telia.se", "description": "", "submit": "1"},
    )
    submission = Submission.objects.get(kind="organisation")
    sign_in(client, world["coordinator_a"])
    assert client.get(f"/contribute/review/{submission.pk}/").status_code == 404
    officer = person("officer", coordinator=world["town_a"].networks.get())
    officer.user_permissions.add(Permission.objects.get(codename="change_organisation"))
    sign_in(client, officer)
    client.post(f"/contribute/review/{submission.pk}/", {"action": "publish"})
    telia.refresh_from_db()
    assert (telia.acronym, telia.website) == ("TLA", "https://www.telia.se")
    client.force_login(world["editor_a"])
    assert client.get("/contribute/organisations/telia/edit/").status_code == 404


def test_an_editor_proposes_a_community_image_that_is_published_in_sizes_on_its_cards(
    client, world, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    buffer = BytesIO()
    Image.new("RGB", (1600, 800), (30, 120, 60)).save(buffer, "JPEG")
    jpeg = buffer.getvalue()
    town = world["town_a"]
    url = f"/contribute/communities/{town.slug}/edit/"
    client.force_login(world["editor_a"])
    page = client.post(url, {"image": SimpleUploadedFile("hall.jpg", jpeg), "submit": "1"})
    assert list(page.context["form"].errors) == ["image_alt"]  # a picture needs its words
    client.post(
        url,
        {
            "image": SimpleUploadedFile("hall.jpg", jpeg),
            "image_alt": "The village hall in snow",
            "submit": "1",
        },
    )
    submission = Submission.objects.get(kind="community")
    assert submission.image.name.startswith("submissions/")
    town.refresh_from_db()
    assert not town.image  # not before review

    sign_in(client, world["coordinator_a"])
    review = client.get(f"/contribute/review/{submission.pk}/").content.decode()
    assert submission.image.url in review
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/contribute/review/{submission.pk}/", {"action": "publish"})
    town.refresh_from_db()
    assert town.image_alt == "The village hall in snow"
    assert town.image.read() == jpeg
    assert town.image_variants["widths"] == [320, 640, 1280]
    home = client.get("/").content.decode()
    assert town.get_absolute_url() in home
    card = home[home.index('id="latest-communities"') :]
    assert 'alt="The village hall in snow"' in card
    assert "-640w.webp" in card and 'loading="lazy"' in card
    page = client.get(town.get_absolute_url()).content.decode()
    assert 'alt="The village hall in snow"' in page
