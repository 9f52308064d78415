"""Who may propose, review and publish what."""

import pytest

from villagehub.accounts.models import Role
from villagehub.accounts.services import role_grant
from villagehub.accounts.tests.factories import person
from villagehub.accounts.tests.helpers import sign_in
from villagehub.contributions.models import RoleRequest, Submission
from villagehub.contributions.tests.factories import NEW_COMMUNITY, PROPOSAL

pytestmark = pytest.mark.django_db


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
