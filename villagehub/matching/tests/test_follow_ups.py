import datetime
from unittest import mock

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


def test_a_networks_coordinators_follow_the_matches_of_its_own_strategy(client, world):
    network = world["town"].networks.get()
    taskforce = strategy_services.strategy_create(network=network, title="T", language="lv")
    need = strategy_services.need_add(strategy=taskforce, title="Platjoslas karte",
                                      description="Optiskā šķiedra visiem ciemiem.",
                                      themes=Theme.objects.filter(slug="broadband"))  # fmt: skip
    strategy_services.strategy_submit(strategy=taskforce)
    strategy_services.strategy_publish(strategy=taskforce, by=None)
    other_coordinator = person("other_coordinator", coordinator=NetworkFactory())
    sign_in(client, other_coordinator)
    assert "Follow this match" not in client.get(f"/needs/{need.pk}/").content.decode()
    follow = {"need": need.pk, "solution": world["kit"].pk}
    assert client.post("/matches/follow/", follow).status_code == 404

    sign_in(client, world["coordinator"])
    assert "Follow this match" in client.get(f"/needs/{need.pk}/").content.decode()
    assert client.post("/matches/follow/", follow).status_code == 302
    follow_up = FollowUp.objects.get(need=need)
    page = client.get("/matches/").content.decode()
    assert f"Platjoslas karte</a> — {network.name}" in page
    assert client.post("/matches/", {"pk": follow_up.pk, "stage": "met"}).status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.stage == "met"
    # The provider's side sees it too; another network's coordinator does not move it.
    sign_in(client, world["provider_editor"])
    assert "Platjoslas karte" in client.get("/matches/").content.decode()
    sign_in(client, other_coordinator)
    assert client.post("/matches/", {"pk": follow_up.pk, "stage": "pilot"}).status_code == 404
    follow_up.refresh_from_db()
    assert follow_up.stage == "met"


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


def _history(follow_up, *stages_days):
    """Backdate a match's steps: each stage entered the given days after 1 January 2026."""
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    FollowUp.objects.filter(pk=follow_up.pk).update(history=[
        {"stage": stage, "at": (start + datetime.timedelta(days=days)).isoformat()}
        for stage, days in stages_days
    ], stage=stages_days[-1][0])  # fmt: skip


def test_coordinators_see_the_pipeline_per_stage_network_and_theme_with_time_in_each(world):
    now = datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC)  # 31 days after the start
    first = services.follow_up_start(need=world["need"], solution=world["kit"], by=None)
    _history(first, ("contacted", 0), ("met", 10))
    other = solution(provider=provider("Other Co"), name="Other kit")
    second = services.follow_up_start(need=world["need"], solution=other, by=None)
    _history(second, ("contacted", 30))
    # The network's own strategy has a need too (a taskforce's), of another theme.
    network = world["town"].networks.get()
    network.name = "Latvian network"
    network.save()
    taskforce = strategy_services.strategy_create(network=network, title="T", language="lv")
    water = strategy_services.need_add(strategy=taskforce, title="Saules enerģija",
                                       description="Saules paneļi ciemiem.",
                                       themes=Theme.objects.filter(slug="energy"))  # fmt: skip
    strategy_services.strategy_submit(strategy=taskforce)
    strategy_services.strategy_publish(strategy=taskforce, by=None)
    third = services.follow_up_start(need=water, solution=other, by=None)
    _history(third, ("contacted", 0), ("met", 1), ("pilot", 3))
    # Another network's match is not this coordinator's.
    elsewhere = CommunityFactory(slug="torup", country="DK")
    elsewhere.networks.add(NetworkFactory(name="Danish network"))
    theirs = strategy_services.strategy_create(community=elsewhere, title="D", language="da")
    their_need = strategy_services.need_add(
        strategy=theirs,
        title="Fiber",
        description="Fiber til gårdene.",
        themes=Theme.objects.filter(slug="broadband"),
    )
    strategy_services.strategy_submit(strategy=theirs)
    strategy_services.strategy_publish(strategy=theirs, by=None)
    services.follow_up_start(need=their_need, solution=world["kit"], by=None)

    with mock.patch("django.utils.timezone.now", return_value=now):
        result = pipeline(user=world["coordinator"], language="en")
    assert [s for s, _label in result.stages] == [
        "contacted", "met", "pilot", "reference", "practice"]  # fmt: skip
    # Contacted: 10, 1 (done) and 1 day (still there, up to now); met: 21 and 2 days.
    assert result.total == [(1, 4.0), (1, 11.5), (1, 28.0), (0, None), (0, None)]
    assert result.by_network == [
        ("Latvian network", [(1, 4.0), (1, 11.5), (1, 28.0), (0, None), (0, None)]),
    ]
    energy = Theme.objects.get(slug="energy").localized("name", "en").text
    assert dict(result.by_theme) == {
        "Broadband and fibre": [(1, 5.5), (1, 21.0), (0, None), (0, None), (0, None)],
        energy: [(0, 1.0), (0, 2.0), (1, 28.0), (0, None), (0, None)],
    }
    assert pipeline(user=world["editor"], language="en").total[0] == (0, None)


def test_the_pipeline_page_shows_each_network_and_theme(client, world):
    services.follow_up_start(need=world["need"], solution=world["kit"], by=None)
    network = world["town"].networks.get()
    sign_in(client, world["coordinator"])
    page = client.get("/matches/pipeline/").content.decode()
    assert "<caption>By network</caption>" in page
    assert f'<th scope="row">{network.name}</th><td>1<br><small>0.0 days on average' in page
    assert '<th scope="row">Broadband and fibre</th><td>1<br>' in page
    page = client.get("/lv/matches/pipeline/").content.decode()
    assert "<caption>Pēc tīkla</caption>" in page


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
