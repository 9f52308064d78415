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
    assert [e["field"] for e in response.json()["errors"]] == ["themes.0"]
    response = post(client, key, {"community": town.slug, "title": 7})
    assert response.status_code == 400
    assert sorted(e["field"] for e in response.json()["errors"]) == ["summary", "title"]
    response = post(client, key, {**PROPOSAL, "community": town.slug, "submit": 0})
    assert [e["field"] for e in response.json()["errors"]] == ["submit"]
    assert not Submission.objects.exists()


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


@pytest.mark.parametrize("value", ["abc", "", "²", "-1", "0", "9" * 30, "1.5"])
def test_revoking_a_token_by_a_malformed_number_is_a_400_naming_it(client, editor, value):
    user, _town = editor
    token, _key = api_token_create(user=user, name="website")
    client.force_login(user)
    response = client.post("/accounts/api-tokens/", {"revoke": value})
    assert response.status_code == 400
    assert "“revoke” must name one of your tokens." in response.content.decode()
    assert list(ApiToken.objects.all()) == [token]


def test_revoking_someone_elses_token_leaves_it(client, editor):
    user, _town = editor
    other = User.objects.create_user("other", email="o@example.org", password="x" * 20)
    token, _key = api_token_create(user=other, name="theirs")
    client.force_login(user)
    client.post("/accounts/api-tokens/", {"revoke": token.pk})
    assert list(ApiToken.objects.all()) == [token]


DATASET = {
    "title": "Broadband coverage 2026",
    "description": "Households with 100 Mbit/s or more, per street.",
    "language": "fi",
    "keywords": ["broadband", "fibre"],
    "data_themes": ["TECH", "REGI"],
    "licence": "CC_BY_4_0",
    "temporal_start": "2026-01-01",
    "access_url": "https://data.example.org/coverage.csv",
    "format": "CSV",
}


def publish(client, key, body):
    return client.post(
        "/api/v1/datasets",
        body,
        content_type="application/json",
        **({"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}),
    )


def test_an_editor_publishes_a_data_set_that_the_catalogue_lists(client, editor):
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import DCAT, DCTERMS

    from villagehub.catalogue.models import Dataset

    user, town = editor
    _token, key = api_token_create(user=user, name="open data portal")

    response = publish(client, key, {**DATASET, "community": town.slug})

    assert response.status_code == 201, response.content
    body = response.json()
    dataset = Dataset.objects.get(slug=body["slug"])
    assert (dataset.publisher_community, dataset.language) == (town, "fi")
    assert dataset.keywords == ["broadband", "fibre"]
    assert list(dataset.spatial_communities.all()) == [town]
    assert body["distributions"] == [
        {
            "title": "Broadband coverage 2026",
            "access_url": "https://data.example.org/coverage.csv",
            "format": "CSV",
            "media_type": "text/csv",
        }
    ]
    graph = Graph().parse(data=client.get("/catalog.ttl").content, format="turtle")
    (subject,) = graph.subjects(DCTERMS.title, Literal("Broadband coverage 2026", lang="fi"))
    distribution = graph.value(subject, DCAT.distribution)
    assert graph.value(distribution, DCAT.accessURL) == URIRef(DATASET["access_url"])


def test_publishing_needs_a_token_and_an_edited_community(client, editor):
    from villagehub.catalogue.models import Dataset

    user, town = editor
    _token, key = api_token_create(user=user, name="portal")
    other_town = CommunityFactory()

    assert publish(client, None, {**DATASET, "community": town.slug}).status_code == 401
    assert publish(client, "vh_forged", {**DATASET, "community": town.slug}).status_code == 401
    forbidden = publish(client, key, {**DATASET, "community": other_town.slug})
    assert forbidden.status_code == 404
    assert forbidden["Content-Type"] == "application/problem+json"
    assert not Dataset.objects.filter(publisher_community__isnull=False).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"licence": "ALL_RIGHTS_RESERVED"}, "licence"),
        ({"format": "EXE"}, "format"),
        ({"data_themes": ["SPACE"]}, "data_themes.0"),
        ({"access_url": "not a link"}, "access_url"),
        ({"language": "tlh"}, "language"),
        ({"keywords": ["a,b"]}, "keywords.0"),
        ({"keywords": [" "]}, "keywords.0"),
        ({"title": "  "}, "title"),
        ({"description": "Lines\x1bwith an escape"}, "description"),
        ({"temporal_end": 0}, "temporal_end"),
        ({"contact_email": "not an address"}, "contact_email"),
        ({"title": ""}, "title"),
        ({"temporal_start": "last year"}, "temporal_start"),
        ({"title": None}, "title"),
    ],
)
def test_invalid_data_sets_are_problems_naming_the_field(client, editor, change, field):
    from villagehub.catalogue.models import Dataset

    user, town = editor
    _token, key = api_token_create(user=user, name="portal")

    response = publish(client, key, {**DATASET, "community": town.slug, **change})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Dataset.objects.filter(publisher_community=town).exists()
