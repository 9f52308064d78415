import datetime

import pytest
from django.core.exceptions import ValidationError

from villagehub.accounts.tests.factories import person
from villagehub.accounts.tests.helpers import sign_in
from villagehub.communities.tests.factories import CommunityFactory, NetworkFactory
from villagehub.contributions import services as contribution_services
from villagehub.contributions.models import Submission
from villagehub.matching import services
from villagehub.matching.follow_ups import pipeline
from villagehub.matching.models import FollowUp
from villagehub.solutions.models import ReferenceInstallation
from villagehub.solutions.tests.factories import provider, solution
from villagehub.strategies import services as strategy_services
from villagehub.taxonomy.models import Theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    network = NetworkFactory()
    town = CommunityFactory(slug="kalnciems", country="LV", population=7000, language="lv")
    town.networks.add(network)
    strategy = strategy_services.strategy_create(community=town, title="S", language="lv")
    need = strategy_services.need_add(strategy=strategy, title="Platjoslas internets",
                                      description="Optiskā šķiedra.",
                                      themes=Theme.objects.filter(slug="broadband"))  # fmt: skip
    strategy_services.strategy_submit(strategy=strategy)
    strategy_services.strategy_publish(strategy=strategy, by=None)
    fibre_co = provider("Fibre Co")
    kit = solution(provider=fibre_co, countries="LV")
    return {
        "town": town, "need": need, "kit": kit,
        "editor": person("editor", community_editor=town),
        "provider_editor": person("provider_editor", organisation_editor=fibre_co),
        "stranger": person("stranger", community_editor=CommunityFactory()),
        "coordinator": person("coordinator", coordinator=network),
    }  # fmt: skip


def test_a_community_editor_follows_a_match_from_the_need_page(client, world):
    sign_in(client, world["editor"])
    page = client.get(f"/needs/{world['need'].pk}/").content.decode()
    assert "Follow this match" in page
    response = client.post(
        "/matches/follow/", {"need": world["need"].pk, "solution": world["kit"].pk}
    )
    assert response.status_code == 302
    client.post("/matches/follow/", {"need": world["need"].pk, "solution": world["kit"].pk})
    follow_up = FollowUp.objects.get()
    assert (follow_up.stage, follow_up.created_by) == ("contacted", world["editor"])
    sign_in(client, world["provider_editor"])
    assert "Platjoslas internets" in client.get("/matches/").content.decode()


def test_strangers_neither_follow_nor_advance_a_match(client, world):
    follow_up = services.follow_up_start(need=world["need"], solution=world["kit"], by=None)
    sign_in(client, world["stranger"])
    assert "Follow this match" not in client.get(f"/needs/{world['need'].pk}/").content.decode()
    response = client.post(
        "/matches/follow/", {"need": world["need"].pk, "solution": world["kit"].pk}
    )
    assert response.status_code == 404
    response = client.post("/matches/", {"pk": follow_up.pk, "stage": "met"})
    assert response.status_code == 404
    follow_up.refresh_from_db()
    assert follow_up.stage == "contacted"


def test_a_match_moves_forward_only_and_its_reference_installation_is_recorded(client, world):
    follow_up = services.follow_up_start(need=world["need"], solution=world["kit"], by=None)
    sign_in(client, world["provider_editor"])
    client.post("/matches/", {"pk": follow_up.pk, "stage": "pilot"})
    with pytest.raises(ValidationError) as error:
        services.follow_up_advance(follow_up=follow_up, stage="met")
    assert list(error.value.message_dict) == ["stage"]
    services.follow_up_advance(follow_up=follow_up, stage="reference")
    follow_up.refresh_from_db()
    assert [h["stage"] for h in follow_up.history] == ["contacted", "pilot", "reference"]
    reference = ReferenceInstallation.objects.get()
    assert (reference.solution, reference.community) == (world["kit"], world["town"])
    assert reference.achieved == "Platjoslas internets"


def test_coordinators_see_the_pipeline_by_stage_and_theme_with_time_in_each(world):
    follow_up = services.follow_up_start(need=world["need"], solution=world["kit"], by=None)
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    FollowUp.objects.filter(pk=follow_up.pk).update(history=[
        {"stage": "contacted", "at": start.isoformat()},
        {"stage": "met", "at": (start + datetime.timedelta(days=10)).isoformat()},
    ], stage="met")  # fmt: skip
    other = solution(provider=provider("Other Co"), name="Other kit")
    services.follow_up_start(need=world["need"], solution=other, by=None)
    result = pipeline(user=world["coordinator"], language="en")
    assert [(s, n) for s, _label, n, _days in result.stages] == [
        ("contacted", 1), ("met", 1), ("pilot", 0), ("reference", 0), ("practice", 0),
    ]  # fmt: skip
    assert result.stages[0][3] == 5.0  # 10 days and about 0
    assert result.by_theme == [("Broadband and fibre", [1, 1, 0, 0, 0])]
    assert pipeline(user=world["editor"], language="en").stages[0][2] == 0


def test_the_pipeline_page_is_for_coordinators(client, world):
    sign_in(client, world["editor"])
    assert client.get("/matches/pipeline/").status_code == 404
    sign_in(client, world["coordinator"])
    assert client.get("/matches/pipeline/").status_code == 200


def test_the_followed_matches_page_speaks_swedish(client, world):
    services.follow_up_start(need=world["need"], solution=world["kit"], by=None)
    sign_in(client, world["editor"])
    html = client.get("/sv/matches/").content.decode()
    assert "<h1>Följda matchningar</h1>" in html
    assert '<option value="contacted" selected>Kontaktad</option>' in html


def _at_reference(world):
    follow_up = services.follow_up_start(need=world["need"], solution=world["kit"], by=None)
    services.follow_up_advance(follow_up=follow_up, stage="reference")
    follow_up.refresh_from_db()
    return follow_up


def test_the_published_practice_is_proposed_from_the_match_and_closes_it(client, world):
    follow_up = _at_reference(world)
    sign_in(client, world["editor"])
    assert "Propose it as a practice" in client.get("/matches/").content.decode()
    response = client.post(f"/matches/{follow_up.pk}/practice/")
    submission = Submission.objects.get()
    assert response.url == f"/contribute/submissions/{submission.pk}/"
    assert (submission.community, submission.author, submission.status) == (
        world["town"], world["editor"], "draft",
    )  # fmt: skip
    data = submission.data
    assert data["language"] == "lv"
    assert data["challenge"] == "Optiskā šķiedra."
    assert data["approach"] == world["kit"].summary
    assert data["results"] == "Platjoslas internets"  # the reference installation's
    assert data["themes"] == ["broadband"]
    # Written in the need's language (Latvian) from the solution's and the town's names.
    assert data["title"] == f"{world['kit'].name}: {world['town'].name}"
    assert data["summary"].startswith(f"{world['town'].name} meklēja atbildi")
    # The form opens with the values, and the editor sends it for review as usual.
    form = client.get(response.url).content.decode()
    assert "Optiskā šķiedra." in form
    contribution_services.submission_save(
        author=world["editor"], submission=submission, community=world["town"],
        data={**data, "summary": "Fibre reached every farm."}, submit=True,
    )  # fmt: skip
    assert client.post(f"/matches/{follow_up.pk}/practice/").status_code == 302
    assert Submission.objects.count() == 1  # asked again: the same proposal

    practice = contribution_services.submission_publish(
        submission=submission, by=world["coordinator"]
    )
    follow_up.refresh_from_db()
    assert (follow_up.stage, follow_up.practice) == ("practice", practice)
    assert [h["stage"] for h in follow_up.history][-2:] == ["reference", "practice"]
    assert practice.community == world["town"] and practice.is_published
    assert practice.title in client.get("/matches/").content.decode()


def test_only_the_community_editors_propose_the_practice_of_a_match(client, world):
    follow_up = _at_reference(world)
    sign_in(client, world["provider_editor"])
    assert "Propose it as a practice" not in client.get("/matches/").content.decode()
    assert client.post(f"/matches/{follow_up.pk}/practice/").status_code == 404
    sign_in(client, world["stranger"])
    assert client.post(f"/matches/{follow_up.pk}/practice/").status_code == 404
    assert not Submission.objects.exists()


def test_a_practice_is_proposed_only_from_a_reference_installation(world):
    follow_up = services.follow_up_start(need=world["need"], solution=world["kit"], by=None)
    with pytest.raises(ValidationError) as error:
        contribution_services.practice_propose_from_match(
            follow_up=follow_up, author=world["editor"]
        )
    assert list(error.value.message_dict) == ["stage"]
    with pytest.raises(ValidationError) as error:
        services.follow_up_advance(follow_up=follow_up, stage="practice")
    assert list(error.value.message_dict) == ["stage"]
    assert not Submission.objects.exists()


def test_a_proposal_no_match_started_changes_no_match(world):
    follow_up = _at_reference(world)
    other = contribution_services.submission_save(
        author=world["editor"], community=world["town"],
        data={"title": "Village hall", "summary": "A hall.", "language": "en", "themes": []},
        submit=True,
    )  # fmt: skip
    contribution_services.submission_publish(submission=other, by=world["coordinator"])
    follow_up.refresh_from_db()
    assert (follow_up.stage, follow_up.practice) == ("reference", None)
