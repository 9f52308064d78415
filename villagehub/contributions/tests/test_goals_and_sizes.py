"""Agenda 2030 goals and size bands are set where people write, read by reviewers as names,
and offered by the list filters with their counts."""

import pytest

from villagehub.accounts.tests.helpers import sign_in
from villagehub.contributions.models import Submission
from villagehub.contributions.tests.factories import PROPOSAL
from villagehub.practices.models import Practice

pytestmark = pytest.mark.django_db


def test_a_practice_proposal_sets_goals_that_the_review_names_and_the_filter_counts(
    client,
    world,
):
    client.force_login(world["editor_a"])
    form = client.get(f"/contribute/communities/{world['town_a'].slug}/practices/new/")
    assert 'name="goals" value="11"' in form.content.decode()
    client.post(
        f"/contribute/communities/{world['town_a'].slug}/practices/new/",
        {**PROPOSAL, "goals": ["11", "3"], "submit": "1"},
    )
    submission = Submission.objects.get()
    assert submission.data["goals"] == [11, 3]

    sign_in(client, world["coordinator_a"])
    review = client.get(f"/contribute/review/{submission.pk}/").content.decode()
    assert (
        "<strong>3. Good health and well-being, 11. Sustainable cities and communities</strong>"
        in review
    )
    client.post(f"/contribute/review/{submission.pk}/", {"action": "publish"})
    practice = Practice.objects.get(title=PROPOSAL["title"])
    assert sorted(practice.goals.values_list("number", flat=True)) == [3, 11]

    client.logout()
    page = client.get("/practices/").content.decode()
    assert '11. Sustainable cities and communities <span class="n">(1)</span>' in page
    # Goals no practice serves yet are offered too, with their count.
    assert '1. No poverty <span class="n">(0)</span>' in page
    assert '<label for="size-over-50000">Over 50,000 inhabitants <span class="n">(0)</span>' in page
    listed = client.get("/practices/?sdg=11").context["page"].object_list
    assert [p.title for p in listed] == [PROPOSAL["title"]]


def test_a_goal_outside_the_seventeen_is_refused_on_its_field(client, world):
    client.force_login(world["editor_a"])
    response = client.post(
        f"/contribute/communities/{world['town_a'].slug}/practices/new/",
        {**PROPOSAL, "goals": ["18"], "submit": "1"},
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["goals"]
    assert not Submission.objects.exists()


def test_a_profile_change_sets_goals_and_population_that_the_communities_filter_counts(
    client,
    world,
):
    town = world["town_a"]
    town.goals.set([8])
    client.force_login(world["editor_a"])
    edit = client.get(f"/contribute/communities/{town.slug}/edit/").content.decode()
    assert 'name="goals" value="8" id="id_goals_7" checked' in edit  # starts from its goals
    client.post(
        f"/contribute/communities/{town.slug}/edit/",
        {"population": "4200", "population_year": "2024", "goals": ["9", "11"], "submit": "1"},
    )
    submission = Submission.objects.get(kind="community")
    sign_in(client, world["coordinator_a"])
    review = client.get(f"/contribute/review/{submission.pk}/").content.decode()
    assert "<td>8. Decent work and economic growth</td>" in review
    client.post(f"/contribute/review/{submission.pk}/", {"action": "publish"})
    assert sorted(town.goals.values_list("number", flat=True)) == [9, 11]
    submission.refresh_from_db()
    assert submission.previous["goals"] == [8]

    client.logout()
    page = client.get("/communities/").content.decode()
    assert '<option value="11">11. Sustainable cities and communities (1)</option>' in page
    assert '<option value="8">8. Decent work and economic growth (0)</option>' in page
    assert '<option value="2000-5000">2,000–5,000 inhabitants (1)</option>' in page
    listed = client.get("/communities/?sdg=9").context["page"].object_list
    assert [c.slug for c in listed] == [town.slug]
    # Each count is taken under the other filters: a size leaves the goals' counts to it.
    narrowed = client.get("/communities/?size=under-2000").content.decode()
    assert '<option value="11">11. Sustainable cities and communities (0)</option>' in narrowed
