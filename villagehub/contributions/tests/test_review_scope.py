"""Only submitted work is reviewable (an editor's draft, or a proposal returned to them, is
theirs alone), and only by a session that passed two-factor authentication."""

import pytest

from villagehub.accounts.models import Role
from villagehub.accounts.services import role_grant
from villagehub.accounts.tests.factories import person
from villagehub.accounts.tests.helpers import sign_in
from villagehub.contributions.models import Submission
from villagehub.contributions.selectors import submissions_for_review
from villagehub.contributions.services import (
    role_request_create,
    submission_return,
    submission_save,
)

from .factories import NEW_COMMUNITY, PROPOSAL

pytestmark = pytest.mark.django_db


def test_a_coordinator_gets_a_404_for_a_draft_until_it_is_submitted(client, world):
    draft = submission_save(
        author=world["editor_a"], community=world["town_a"], data=PROPOSAL, submit=False
    )
    sign_in(client, world["coordinator_a"])
    review = f"/contribute/review/{draft.pk}/"
    assert client.get(review).status_code == 404
    assert client.post(review, {"action": "publish"}).status_code == 404
    assert client.post(review, {"comment": "Add the results."}).status_code == 404
    draft.refresh_from_db()
    assert (draft.status, draft.comment) == ("draft", "")
    assert list(submissions_for_review(world["coordinator_a"])) == []

    submission_save(author=world["editor_a"], submission=draft, data=PROPOSAL, submit=True)
    page = client.get(review)
    assert page.status_code == 200
    assert page.context["submission"] == draft


def test_a_returned_proposal_is_the_editors_again(client, world):
    submission = submission_save(
        author=world["editor_a"], community=world["town_a"], data=PROPOSAL, submit=True
    )
    submission_return(submission=submission, by=world["coordinator_a"], comment="Add results.")
    sign_in(client, world["coordinator_a"])
    assert client.get(f"/contribute/review/{submission.pk}/").status_code == 404
    assert Submission.objects.get().status == "returned"


def test_a_draft_new_community_is_not_shown_to_the_networks_coordinators(client, world):
    requester = person("requester")
    draft = submission_save(
        author=requester,
        data={**NEW_COMMUNITY, "name": "Raudanmaa", "population": 140, "population_year": 2024},
        submit=False,
        kind="new_community",
        network=world["town_a"].networks.get(),
    )
    sign_in(client, world["coordinator_a"])
    assert client.get(f"/contribute/review/{draft.pk}/").status_code == 404
    assert list(client.get("/contribute/").context["review_submissions"]) == []


def test_the_review_queue_shows_only_to_a_session_that_passed_the_second_factor(client, world):
    submission = submission_save(
        author=world["editor_a"], community=world["town_a"], data=PROPOSAL, submit=True
    )
    request = role_request_create(
        user=world["participant"], community=world["town_a"], message="I am the mayor."
    )
    client.force_login(world["coordinator_a"])  # the password alone
    page = client.get("/sv/contribute/")
    text = page.content.decode()
    assert page.context["two_factor_url"] == (
        "/sv/accounts/2fa/reauthenticate/?next=%2Fsv%2Fcontribute%2F"
    )
    assert "Fortsätt med tvåfaktorsautentisering" in text
    for hidden in ["participant@example.org", "I am the mayor.", PROPOSAL["title"]]:
        assert hidden not in text
    assert "review_submissions" not in page.context
    assert "invite_form" not in page.context

    sign_in(client, world["coordinator_a"])
    page = client.get("/contribute/")
    assert list(page.context["review_submissions"]) == [submission]
    assert list(page.context["review_requests"]) == [request]
    assert "two_factor_url" not in page.context


def test_a_coordinator_without_an_authenticator_is_sent_to_set_one_up(client, world):
    plain = person("plain_coordinator")
    role_grant(user=plain, kind=Role.Kind.COORDINATOR, target=world["town_a"].networks.get())
    sign_in(client, plain)
    page = client.get("/contribute/")
    assert page.context["two_factor_url"] == "/accounts/2fa/totp/activate/?next=%2Fcontribute%2F"


def test_people_who_review_nothing_are_not_asked_for_a_second_factor(client, world):
    client.force_login(world["editor_a"])
    page = client.get("/contribute/")
    assert "two_factor_url" not in page.context
    assert "two-factor" not in page.content.decode()
