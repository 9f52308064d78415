"""An editor proposes a practice told as a case study; the coordinator reviews every part
of the story under its label and publishes it as proposed."""

import pytest

from villagehub.accounts.tests.helpers import sign_in
from villagehub.contributions.models import Submission
from villagehub.contributions.services import submission_publish
from villagehub.contributions.tests.factories import PROPOSAL
from villagehub.practices.models import Practice
from villagehub.taxonomy.models import FundingSource

pytestmark = pytest.mark.django_db

STORY = {
    "challenge": "The sauna was falling apart.",
    "approach": "In 2019 forty villagers bought it; in 2020 they rebuilt it together.",
    "involved": "The village association and the municipality.",
    "results": "40 members; open three evenings a week.",
    "lessons": "Share the keys, not the work rota.",
    "budget_range": "10k-50k",
    "funding_sources": ["cap-leader", "community"],
    "volunteers": "25",
    "contact_role": "Chair of the sauna cooperative",
    "contact_email": "sauna@example.org",
    "contact_consent": "on",
}


def _propose(client, world, **changes):
    client.force_login(world["editor_a"])
    return client.post(
        f"/contribute/communities/{world['town_a'].slug}/practices/new/",
        {**PROPOSAL, **STORY, "submit": "1", **changes},
    )


def test_the_story_goes_from_proposal_through_review_to_the_published_page(
    client,
    world,
):
    client.force_login(world["editor_a"])
    form = client.get(f"/contribute/communities/{world['town_a'].slug}/practices/new/")
    for name in ("challenge", "approach", "involved", "lessons", "volunteers", "contact_role"):
        assert f'name="{name}"' in form.content.decode()
    _propose(client, world)
    submission = Submission.objects.get()
    assert submission.data["funding_sources"] == ["cap-leader", "community"]
    assert (submission.data["volunteers"], submission.data["contact_consent"]) == (25, True)

    sign_in(client, world["coordinator_a"])
    review = client.get(f"/contribute/review/{submission.pk}/").content.decode()
    assert '<th scope="row">The challenge</th><td><strong>The sauna was falling apart.' in review
    assert "<strong>€10,000 to €50,000</strong>" in review
    assert "<strong>CAP – LEADER, Community funding and volunteering</strong>" in review
    assert '<th scope="row">Volunteers</th><td><strong>25</strong>' in review
    assert "budget_range" not in review

    client.post(f"/contribute/review/{submission.pk}/", {"action": "publish"})
    practice = Practice.objects.get(title=PROPOSAL["title"])
    stored = {name: getattr(practice, name) for name in STORY if name != "funding_sources"}
    assert stored == {
        **{k: v for k, v in STORY.items() if k != "funding_sources"},
        "volunteers": 25,
        "contact_consent": True,
    }
    assert sorted(practice.funding_sources.values_list("slug", flat=True)) == [
        "cap-leader",
        "community",
    ]
    page = client.get(practice.get_absolute_url()).content.decode()
    assert ">The challenge</h2>" in page
    assert "Share the keys, not the work rota." in page
    assert '<a href="mailto:sauna@example.org">sauna@example.org</a>' in page


def test_a_change_to_the_story_keeps_the_previous_values(client, world):
    _propose(client, world)
    sign_in(client, world["coordinator_a"])
    client.post(f"/contribute/review/{Submission.objects.get().pk}/", {"action": "publish"})
    practice = Practice.objects.get(title=PROPOSAL["title"])

    client.force_login(world["editor_a"])
    edit = client.get(f"/contribute/practices/{practice.slug}/edit/").content.decode()
    assert "Share the keys, not the work rota." in edit  # the form starts from the story
    client.post(
        f"/contribute/practices/{practice.slug}/edit/",
        {**PROPOSAL, **STORY, "lessons": "Keep a waiting list.", "submit": "1"},
    )
    change = Submission.objects.get(status="submitted")
    sign_in(client, world["coordinator_a"])
    review = client.get(f"/contribute/review/{change.pk}/").content.decode()
    assert 'What others should know <span class="small">(changed)</span>' in review
    client.post(f"/contribute/review/{change.pk}/", {"action": "publish"})
    change.refresh_from_db()
    assert change.previous["lessons"] == "Share the keys, not the work rota."
    assert change.previous["funding_sources"] == ["cap-leader", "community"]
    assert Practice.objects.get(pk=practice.pk).lessons == "Keep a waiting list."


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"contact_consent": ""}, "contact_consent"),
        ({"funding_sources": ["no-such-fund"]}, "funding_sources"),
        ({"volunteers": "-3"}, "volunteers"),
        ({"budget_range": "a lot"}, "budget_range"),
        ({"contact_email": "sauna at example"}, "contact_email"),
    ],
)
def test_a_bad_part_of_the_story_is_refused_on_its_field(client, world, changes, field):
    response = _propose(client, world, **changes)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert f'href="#id_{field}"' in response.content.decode()
    assert not Submission.objects.exists()


def test_a_proposal_without_funding_sources_leaves_the_published_ones(client, world):
    """Proposals sent through the API, or before the hub asked for funding sources, do not
    carry them: publishing such a change keeps those the practice has."""
    practice = world["practice_b"]
    practice.funding_sources.set([FundingSource.objects.get(slug="private")])
    submission = Submission.objects.create(
        author=world["editor_b"],
        community=world["town_b"],
        practice=practice,
        kind=Submission.Kind.PRACTICE,
        status=Submission.Status.SUBMITTED,
        data={"title": "B's practice, renamed", "summary": "Of B.", "language": "en"},
    )
    submission_publish(submission=submission, by=world["coordinator_a"])
    practice.refresh_from_db()
    assert practice.title == "B's practice, renamed"
    assert list(practice.funding_sources.values_list("slug", flat=True)) == ["private"]
