from io import BytesIO

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import User
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from villagehub.accounts.models import Role
from villagehub.accounts.services import role_grant
from villagehub.accounts.tests.helpers import sign_in
from villagehub.communities.tests.factories import CommunityFactory, NetworkFactory
from villagehub.contributions.models import RoleRequest, Submission
from villagehub.practices.models import Practice
from villagehub.practices.services import practice_create

pytestmark = pytest.mark.django_db

PROPOSAL = {
    "title": "Village sauna cooperative",
    "summary": "The village runs its sauna as a cooperative.",
    "description": "",
    "results": "",
    "language": "fi",
    "themes": ["cooperatives"],
}


def person(name, **roles):
    user = User.objects.create_user(name, email=f"{name}@example.org", password="x" * 20)
    for kind, target in roles.items():
        role_grant(user=user, kind=kind, target=target)
        if kind == "coordinator":
            TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def world():
    """Two networks, each with a community, an editor and a coordinator."""
    net_a, net_b = NetworkFactory(), NetworkFactory()
    town_a, town_b = CommunityFactory(), CommunityFactory()
    town_a.networks.add(net_a)
    town_b.networks.add(net_b)
    practice_b = practice_create(title="B's practice", summary="Of B.", community=town_b)
    return {
        "town_a": town_a,
        "town_b": town_b,
        "practice_b": practice_b,
        "editor_a": person("editor_a", community_editor=town_a),
        "editor_b": person("editor_b", community_editor=town_b),
        "coordinator_a": person("coordinator_a", coordinator=net_a),
        "participant": person("participant"),
    }


def test_claim_approved_by_the_coordinator_makes_an_editor_who_is_told(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world["participant"])
    town = world["town_a"]
    client.post(f"/contribute/communities/{town.slug}/request/", {"message": "I am the mayor."})
    request = RoleRequest.objects.get()
    assert request.message == "I am the mayor."

    sign_in(client, world["coordinator_a"])
    assert list(client.get("/contribute/").context["review_requests"]) == [request]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/contribute/requests/{request.pk}/", {"action": "approve"})
    assert Role.objects.filter(
        user=world["participant"], kind="community_editor", community=town
    ).exists()
    (message,) = mail.outbox
    assert message.to == ["participant@example.org"]
    assert message.subject == f"You can now edit {town.name}"


NEW_COMMUNITY = {
    "name": "Raudanmaa",
    "kind": "village",
    "country": "FI",
    "region": "Pohjois-Savo",
    "population": "140",
    "population_year": "2024",
    "website": "",
    "description": "Kylä järven rannalla.",
    "language": "fi",
    "themes": ["broadband"],
}


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


@pytest.mark.parametrize(
    ("who", "action", "allowed"),
    [
        # (person, action, may they?)
        ("anonymous", "propose_a", False),
        ("participant", "propose_a", False),
        ("editor_b", "propose_a", False),
        ("editor_a", "propose_a", True),
        ("coordinator_a", "propose_a", False),
        ("editor_a", "edit_practice_b", False),
        ("editor_b", "edit_practice_b", True),
        ("editor_b", "open_submission_of_a", False),
        ("editor_a", "open_submission_of_a", True),
        ("participant", "review_submission_of_a", False),
        ("editor_a", "review_submission_of_a", False),
        ("coordinator_a", "review_submission_of_a", True),
        ("coordinator_a", "review_submission_of_b", False),
        ("editor_a", "decide_request_for_a", False),
        ("coordinator_a", "decide_request_for_a", True),
        ("coordinator_a", "decide_request_for_b", False),
        ("anonymous", "propose_new_community", False),
        ("participant", "propose_new_community", True),
        ("participant", "open_new_community_of_requester", False),
        ("coordinator_a", "open_new_community_of_requester", False),
        ("editor_a", "review_new_community_for_a", False),
        ("coordinator_a", "review_new_community_for_a", True),
        ("coordinator_a", "review_new_community_for_b", False),
    ],
)
def test_permission_matrix(client, world, who, action, allowed):
    from villagehub.contributions.services import role_request_create, submission_save

    sub_a = submission_save(
        author=world["editor_a"], community=world["town_a"], data=PROPOSAL, submit=True
    )
    sub_b = submission_save(
        author=world["editor_b"], community=world["town_b"], data=PROPOSAL, submit=True
    )
    requester = person("requester")
    req_a = role_request_create(user=requester, community=world["town_a"])
    req_b = role_request_create(user=requester, community=world["town_b"])
    new_a, new_b = (
        submission_save(
            author=requester,
            data={**NEW_COMMUNITY, "name": name, "population": 140, "population_year": 2024},
            submit=True,
            kind="new_community",
            network=town.networks.get(),
        )
        for name, town in [("Raudanmaa", world["town_a"]), ("Kaavi", world["town_b"])]
    )
    if who != "anonymous":
        sign_in(client, world[who])
    url, data = {
        "propose_a": (f"/contribute/communities/{world['town_a'].slug}/practices/new/", None),
        "edit_practice_b": (f"/contribute/practices/{world['practice_b'].slug}/edit/", None),
        "open_submission_of_a": (f"/contribute/submissions/{sub_a.pk}/", None),
        "review_submission_of_a": (f"/contribute/review/{sub_a.pk}/", None),
        "review_submission_of_b": (f"/contribute/review/{sub_b.pk}/", None),
        "decide_request_for_a": (f"/contribute/requests/{req_a.pk}/", {"action": "approve"}),
        "decide_request_for_b": (f"/contribute/requests/{req_b.pk}/", {"action": "approve"}),
        "propose_new_community": ("/contribute/communities/new/", None),
        "open_new_community_of_requester": (f"/contribute/submissions/{new_a.pk}/", None),
        "review_new_community_for_a": (f"/contribute/review/{new_a.pk}/", None),
        "review_new_community_for_b": (f"/contribute/review/{new_b.pk}/", None),
    }[action]
    response = client.post(url, data) if data else client.get(url)
    if allowed:
        assert response.status_code in (200, 302) and "/accounts/login/" not in response.get(
            "Location", ""
        )
    else:
        assert response.status_code == 404 or "/accounts/login/" in response.get("Location", "")
    if action.startswith("decide_request"):
        target = req_a if action.endswith("_a") else req_b
        assert (RoleRequest.objects.get(pk=target.pk).status == "approved") is allowed


def test_reviewing_needs_two_factor_authentication(client, world):
    from villagehub.contributions.services import submission_save

    submission = submission_save(
        author=world["editor_a"], community=world["town_a"], data=PROPOSAL, submit=True
    )
    coordinator = person("plain_coordinator")
    role_grant(user=coordinator, kind=Role.Kind.COORDINATOR, target=world["town_a"].networks.get())
    client.force_login(coordinator)
    response = client.post(f"/contribute/review/{submission.pk}/", {"action": "publish"})
    assert response["Location"].startswith("/accounts/2fa/totp/activate")
    assert Submission.objects.get().status == "submitted"


def test_coordinator_invites_an_editor_who_accepts_with_that_address(
    client, world, django_capture_on_commit_callbacks
):
    town = world["town_a"]
    sign_in(client, world["coordinator_a"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/contribute/invitations/", {"email": "New@Example.org", "community": town.pk})
    (message,) = mail.outbox
    assert message.to == ["new@example.org"]
    link = message.body.split("https://hub.example.org", 1)[1].split()[0]

    stranger = person("stranger")
    stranger.emailaddress_set.create(email="stranger@example.org", verified=True)
    client.force_login(stranger)
    client.post(link)
    assert not Role.objects.filter(user=stranger).exists()

    newcomer = person("newcomer")
    newcomer.emailaddress_set.create(email="new@example.org", verified=True)
    client.force_login(newcomer)
    client.post(link)
    assert Role.objects.filter(user=newcomer, kind="community_editor", community=town).exists()
    assert client.get(link[:-3] + "xyz/").status_code == 400


def test_coordinators_invite_only_for_their_networks(client, world):
    sign_in(client, world["coordinator_a"])
    client.post(
        "/contribute/invitations/", {"email": "x@example.org", "community": world["town_b"].pk}
    )
    from villagehub.contributions.models import Invitation

    assert not Invitation.objects.exists()


def test_the_back_office_invites_an_organisation_editor_by_email(
    client, world, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import Permission

    from villagehub.organisations.models import Organisation

    organisation = Organisation.objects.create(slug="telia", name="Telia", kind="solution_provider")
    # A coordinator without the back office's right to give roles cannot invite for it.
    sign_in(client, world["coordinator_a"])
    assert "organisation" not in client.get("/contribute/").context["invite_form"].fields
    client.post("/contribute/invitations/", {"email": "x@example.org", "organisation": "telia"})
    assert not organisation.invitations.exists()

    officer = person("officer")
    officer.user_permissions.add(Permission.objects.get(codename="add_role"))
    TOTP.activate(officer, generate_totp_secret())
    sign_in(client, officer)
    # Neither or both targets: told what is wrong, nothing sent.
    client.post("/contribute/invitations/", {"email": "cto@telia.example"})
    assert not organisation.invitations.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/contribute/invitations/",
            {"email": "CTO@telia.example", "organisation": organisation.pk},
        )
    (message,) = mail.outbox
    assert message.to == ["cto@telia.example"]
    assert "keep the profile of Telia current" in message.body
    link = message.body.split("https://hub.example.org", 1)[1].split()[0]

    newcomer = person("cto")
    newcomer.emailaddress_set.create(email="cto@telia.example", verified=True)
    client.force_login(newcomer)
    assert "organisation's profile" in client.get(link).content.decode()
    client.post(link)
    assert Role.objects.filter(
        user=newcomer, kind="organisation_editor", organisation=organisation
    ).exists()
    assert client.get("/contribute/").context["organisations"].get() == organisation


def test_organisation_requests_are_decided_in_the_back_office(client, world):
    from django.contrib.auth.models import Permission

    from villagehub.organisations.models import Organisation

    organisation = Organisation.objects.create(slug="telia", name="Telia", kind="solution_provider")
    client.force_login(world["participant"])
    client.post(f"/contribute/organisations/{organisation.slug}/request/", {"message": "CTO"})
    request = RoleRequest.objects.get(organisation=organisation)

    sign_in(client, world["coordinator_a"])
    assert (
        client.post(f"/contribute/requests/{request.pk}/", {"action": "approve"}).status_code == 404
    )
    officer = person("officer", coordinator=world["town_a"].networks.get())
    officer.user_permissions.add(Permission.objects.get(codename="add_role"))
    sign_in(client, officer)
    client.post(f"/contribute/requests/{request.pk}/", {"action": "approve"})
    assert Role.objects.filter(
        user=world["participant"], kind="organisation_editor", organisation=organisation
    ).exists()


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


def test_community_editor_publishes_a_data_set_into_the_catalogue(
    client, world, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from villagehub.catalogue.models import Dataset

    settings.MEDIA_ROOT = tmp_path
    town = world["town_a"]
    form = {
        "title": "Broadband coverage 2025",
        "description": "Households with fibre, by hamlet.",
        "keywords": "broadband, fibre",
        "data_themes": ["TECH"],
        "licence": "CC_BY_4_0",
        "format": "CSV",
    }
    client.force_login(world["editor_b"])
    assert client.get(f"/contribute/communities/{town.slug}/datasets/new/").status_code == 404
    client.force_login(world["editor_a"])
    bad = client.post(
        f"/contribute/communities/{town.slug}/datasets/new/",
        {**form, "file": SimpleUploadedFile("coverage.csv", b"\x89PNG\r\n\x1a\n" + b"\0" * 40)},
    )
    assert bad.status_code == 400
    assert "not UTF-8 text" in bad.content.decode()
    assert not Dataset.objects.filter(publisher_community=town).exists()
    response = client.post(
        f"/contribute/communities/{town.slug}/datasets/new/",
        {**form, "file": SimpleUploadedFile("coverage.csv", b"hamlet,households\nA,12\n")},
    )
    dataset = Dataset.objects.get(publisher_community=town)
    assert response["Location"] == dataset.get_absolute_url()
    assert dataset.keywords == ["broadband", "fibre"]
    distribution = dataset.distributions.get()
    assert (distribution.byte_size, distribution.media_type) == (23, "text/csv")
    assert dataset.title in client.get("/catalog.ttl").content.decode()


def test_coordinators_publish_data_sets_of_their_network_that_validate(client, world):

    import pyshacl
    from rdflib import Graph

    from villagehub.catalogue.models import Dataset

    network = world["town_a"].networks.get()
    url = f"/contribute/networks/{network.slug}/datasets/new/"
    form = {
        "title": "Members' broadband survey",
        "description": "What the network's villages answered.",
        "keywords": "broadband",
        "data_themes": ["TECH"],
        "licence": "CC_BY_4_0",
        "format": "CSV",
        "access_url": "https://example.org/survey.csv",
    }
    # Editors, and coordinators of another network, cannot.
    client.force_login(world["editor_a"])
    assert client.get(url).status_code == 404
    other = person("coordinator_b", coordinator=world["town_b"].networks.get())
    sign_in(client, other)
    assert client.get(url).status_code == 404

    sign_in(client, world["coordinator_a"])
    page = client.get("/contribute/")
    assert url in page.content.decode()
    bad = client.post(url, {**form, "access_url": ""})
    assert bad.status_code == 400
    assert "Upload a file or give a link" in bad.content.decode()
    response = client.post(url, form)
    dataset = Dataset.objects.get(publisher_network=network)
    assert response["Location"] == dataset.get_absolute_url()
    assert dataset.spatial_countries == [world["town_a"].country.code]
    assert network.name in client.get(dataset.get_absolute_url()).content.decode()

    from villagehub.catalogue.tests.test_rdf import dcat_ap_shapes

    data = Graph().parse(data=client.get("/catalog.ttl").content, format="turtle")
    conforms, _report, text = pyshacl.validate(data, shacl_graph=dcat_ap_shapes())
    assert conforms, text
    assert "Members' broadband survey" in client.get("/catalog.ttl").content.decode()


def test_every_published_or_back_office_change_is_on_the_record_for_coordinators(
    client, world, admin_client
):
    from villagehub.contributions.services import submission_publish, submission_save

    town = world["town_a"]
    submission = submission_save(
        author=world["editor_a"], community=town, data=PROPOSAL, submit=True
    )
    practice = submission_publish(submission=submission, by=world["coordinator_a"])
    # A change in the back office is recorded too, with the previous value.
    admin_client.post(
        f"/admin/practices/practice/{practice.pk}/change/",
        {
            "slug": practice.slug,
            "title": "Sauna cooperative",
            "summary": practice.summary,
            "community": town.pk,
            "language": "fi",
            "translations": "{}",
            "is_published": "on",
            "links-TOTAL_FORMS": "0",
            "links-INITIAL_FORMS": "0",
        },
    )
    practice.refresh_from_db()
    assert practice.title == "Sauna cooperative"

    sign_in(client, world["coordinator_a"])
    revisions = client.get(practice.get_absolute_url()).context["revisions"]
    assert [(r.via, r.changes.get("title")) for r in revisions] == [
        ("back office", ["Village sauna cooperative", "Sauna cooperative"]),
        ("review", [None, "Village sauna cooperative"]),
    ]
    assert revisions[1].user == world["coordinator_a"]
    client.force_login(world["editor_b"])
    assert client.get(practice.get_absolute_url()).context["revisions"] is None
    client.logout()
    assert "History of changes" not in client.get(practice.get_absolute_url()).content.decode()
