import pytest
from django.contrib.auth.models import User

from villagehub.accounts.models import ApiToken
from villagehub.accounts.services import api_token_create, role_grant
from villagehub.communities.tests.factories import CommunityFactory
from villagehub.contributions.models import Submission

pytestmark = pytest.mark.django_db

PROPOSAL = {"title": "Sauna", "summary": "A village sauna.", "language": "fi", "themes": []}


@pytest.fixture
def editor():
    user = User.objects.create_user("editor", email="e@example.org", password="x" * 20)
    town = CommunityFactory()
    role_grant(user=user, kind="community_editor", target=town)
    return user, town


def post(client, key, body):
    return client.post(
        "/api/v1/submissions",
        body,
        content_type="application/json",
        **({"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}),
    )


def test_a_token_proposes_a_practice_for_review_like_the_form(client, editor):
    user, town = editor
    _token, key = api_token_create(user=user, name="village website")
    response = post(client, key, {**PROPOSAL, "community": town.slug})
    assert response.status_code == 201
    assert response.json()["status"] == "submitted"
    submission = Submission.objects.get()
    assert (submission.author, submission.community) == (user, town)
    listed = client.get("/api/v1/submissions", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert [s["title"] for s in listed] == ["Sauna"]
    assert ApiToken.objects.get().last_used_at is not None


def test_writes_without_a_valid_token_are_refused_as_problems(client, editor):
    _user, town = editor
    for key in (None, "vh_forged", "not-even-a-token"):
        response = post(client, key, {**PROPOSAL, "community": town.slug})
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        assert response["WWW-Authenticate"] == "Bearer"
    assert not Submission.objects.exists()


def test_a_token_has_only_its_owners_permissions(client, editor):
    user, _town = editor
    _token, key = api_token_create(user=user, name="site")
    other_town = CommunityFactory()
    assert post(client, key, {**PROPOSAL, "community": other_town.slug}).status_code == 404
    assert not Submission.objects.exists()


def test_invalid_proposals_name_the_field(client, editor):
    user, town = editor
    _token, key = api_token_create(user=user, name="site")
    response = post(client, key, {**PROPOSAL, "community": town.slug, "themes": ["nope"]})
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "themes", "reason": "Unknown themes: nope."}]
    response = post(client, key, {"community": town.slug, "title": 7})
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} >= {
        "proposal.summary"
    } or response.json()["errors"]


def test_tokens_page_shows_a_new_key_once_and_revokes(client, editor):
    user, _town = editor
    client.force_login(user)
    page = client.post("/accounts/api-tokens/", {"name": "website"})
    key = page.context["key"]
    assert key.startswith("vh_") and key in page.content.decode()
    assert key not in client.get("/accounts/api-tokens/").content.decode()
    token = ApiToken.objects.get()
    client.post("/accounts/api-tokens/", {"revoke": token.pk})
    assert not ApiToken.objects.exists()
