"""A solution provider not yet in the hub signs up: someone from it proposes the
organisation, the back office reviews it, and the proposer then edits it and presents its
solutions, which coordinators review before publication."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Permission

from villagehub.accounts.models import Role
from villagehub.accounts.tests.factories import person
from villagehub.accounts.tests.helpers import sign_in
from villagehub.communities.tests.factories import NetworkFactory
from villagehub.contributions.models import Submission
from villagehub.notices.models import Notice
from villagehub.organisations.models import Organisation
from villagehub.organisations.services import organisation_create
from villagehub.solutions.models import Solution

pytestmark = pytest.mark.django_db

NEW = "/contribute/providers/new/"
FIELDS = {"name": "Kuldiga Sensors SIA", "country": "LV", "website": "kuldiga-sensors.example",
          "description": "LoRaWAN sensors for village halls.", "language": "en"}  # fmt: skip


@pytest.fixture
def back_office():
    user = person("backoffice")
    user.user_permissions.add(Permission.objects.get(codename="change_organisation"))
    TOTP.activate(user, generate_totp_secret())
    return user


def test_a_provider_signs_up_is_reviewed_and_then_presents_its_solutions(client, back_office):
    person("coordinator", coordinator=NetworkFactory())
    founder = person("founder")
    sign_in(client, founder)
    assert "Propose it as a solution provider" in client.get("/solutions/mine/").content.decode()
    response = client.post(NEW, {**FIELDS, "submit": "1"})
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert (submission.kind, submission.status) == ("new_provider", "submitted")
    assert not Organisation.objects.filter(name="Kuldiga Sensors SIA").exists()
    # The back office, who reviews it, is told; coordinators are not.
    notice = Notice.objects.get()
    assert (notice.user, notice.kind, notice.path) == (
        back_office, "submission", f"/contribute/review/{submission.pk}/",
    )  # fmt: skip

    sign_in(client, back_office)
    assert "Kuldiga Sensors SIA" in client.get("/contribute/").content.decode()
    response = client.post(f"/contribute/review/{submission.pk}/", {"action": "publish"})
    assert response.status_code == 302
    provider = Organisation.objects.get(name="Kuldiga Sensors SIA")
    assert (provider.kind, provider.country.code, provider.website) == (
        "solution_provider", "LV", "https://kuldiga-sensors.example",
    )  # fmt: skip
    assert Role.objects.filter(user=founder, kind="organisation_editor", organisation=provider)

    sign_in(client, founder)
    response = client.post(
        f"/solutions/new/{provider.slug}/",
        {"name": "Hall sensors", "summary": "Sensors for village halls.", "trl": "7",
         "language": "en", "themes": ["broadband"]},
    )  # fmt: skip
    assert response.status_code == 302
    assert Solution.objects.get().provider == provider


def test_a_provider_proposal_is_refused_naming_the_field(client):
    organisation_create(name="Kuldiga Sensors SIA", kind="solution_provider", country="LV")
    sign_in(client, person("founder"))
    response = client.post(NEW, {**FIELDS, "submit": "1"})
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [
        "Kuldiga Sensors SIA is already in the hub: ask to edit it from its page instead."
    ]
    response = client.post(NEW, {**FIELDS, "name": "Other", "country": "XX"})
    assert "country" in response.context["form"].errors
    assert not Submission.objects.exists()


def test_only_the_back_office_reviews_a_new_provider(client):
    sign_in(client, person("founder"))
    client.post(NEW, {**FIELDS, "submit": "1"})
    submission = Submission.objects.get()
    coordinator = person("coordinator", coordinator=NetworkFactory())
    sign_in(client, coordinator)
    assert (
        client.post(f"/contribute/review/{submission.pk}/", {"action": "publish"}).status_code
        == 404
    )
    assert not Organisation.objects.filter(name="Kuldiga Sensors SIA").exists()
