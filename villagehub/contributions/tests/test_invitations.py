"""Coordinators and the back office invite editors by e-mail address."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail

from villagehub.accounts.models import Role
from villagehub.accounts.tests.factories import person
from villagehub.accounts.tests.helpers import sign_in

pytestmark = pytest.mark.django_db


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
