"""Asking to edit a record: a community's coordinators or the back office decide."""

import pytest
from django.core import mail

from villagehub.accounts.models import Role
from villagehub.accounts.tests.factories import person
from villagehub.accounts.tests.helpers import sign_in
from villagehub.contributions.models import RoleRequest

pytestmark = pytest.mark.django_db


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
