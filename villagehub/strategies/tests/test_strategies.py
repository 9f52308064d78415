import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from villagehub.accounts.tests.factories import person
from villagehub.accounts.tests.helpers import sign_in
from villagehub.communities.tests.factories import CommunityFactory, NetworkFactory
from villagehub.indicators.services import indicator_value_publish
from villagehub.strategies import pdf, services
from villagehub.strategies.models import Action, Need, Strategy, StrategyVersion
from villagehub.strategies.selectors import strategy_progress, strategy_snapshot
from villagehub.taxonomy.models import FundingSource, Theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    network, other_network = NetworkFactory(), NetworkFactory()
    town = CommunityFactory(slug="kalnciems", name="Kalnciems", country="LV", population=7000,
                            language="lv")  # fmt: skip
    other = CommunityFactory(slug="torup", country="DK")
    town.networks.add(network)
    other.networks.add(other_network)
    return {
        "town": town,
        "other": other,
        "editor": person("editor", community_editor=town),
        "other_editor": person("other_editor", community_editor=other),
        "coordinator": person("coordinator", coordinator=network),
        "other_coordinator": person("other_coordinator", coordinator=other_network),
    }


def strategy_full(town):
    strategy = services.strategy_create(
        community=town, title="Gudrais ciems 2030", language="lv", vision="Dzīvs ciems.",
        meetings_held=4, people_involved=120,
    )  # fmt: skip
    objective = services.objective_add(strategy=strategy, title="Savienots ciems")
    services.action_add(strategy=strategy, objective=objective, title="Fibre to farms",
                        status=Action.Status.DONE, budget=50000,
                        funding_source=FundingSource.objects.get(slug="cap-leader"))  # fmt: skip
    services.action_add(strategy=strategy, title="Village app", status=Action.Status.IN_PROGRESS)
    services.action_add(strategy=strategy, title="Bus on demand")
    services.indicator_add(
        strategy=strategy, name="Households with 100 Mbit/s", unit="%", baseline=Decimal(20),
        target=Decimal(80), target_year=2030, latest_value=Decimal(50), latest_year=2026,
    )  # fmt: skip
    services.need_add(
        strategy=strategy, title="Platjoslas internets fermām",
        description="Vajag optisko šķiedru visām fermām.",
        themes=Theme.objects.filter(slug="broadband"), budget_min=10000, budget_max=60000,
        wanted_by=datetime.date(2027, 6, 30), objective=objective,
    )  # fmt: skip
    return strategy


def test_progress_counts_actions_by_status_and_indicators_against_target(world):
    strategy = strategy_full(world["town"])
    progress = strategy_progress(strategy_snapshot(strategy))
    assert [(s, c) for s, _label, c in progress.status_counts] == [
        ("planned", 1), ("in_progress", 1), ("done", 1), ("delayed", 0), ("cancelled", 0),
    ]  # fmt: skip
    assert progress.actions_total == 3
    assert [(i.name, i.percent) for i in progress.indicators] == [
        ("Households with 100 Mbit/s", 50)
    ]


def test_a_need_is_written_in_the_community_language_by_default(world):
    strategy = strategy_full(world["town"])
    need = Need.objects.get()
    assert need.language == "lv"
    assert need.strategy == strategy
    assert " platjoslas " in need.search_terms


def test_publishing_keeps_each_version_and_makes_the_needs_public(world):
    strategy = strategy_full(world["town"])
    with pytest.raises(ValidationError):
        services.strategy_publish(strategy=strategy, by=world["coordinator"])
    services.strategy_submit(strategy=strategy)
    first = services.strategy_publish(strategy=strategy, by=world["coordinator"])
    assert (first.number, first.snapshot["title"], first.published_by) == (
        1, "Gudrais ciems 2030", world["coordinator"],
    )  # fmt: skip
    assert list(Need.objects.values_list("is_published", flat=True)) == [True]
    action = strategy.actions.get(title="Bus on demand")
    services.action_status_set(action=action, status=Action.Status.DELAYED)
    strategy.refresh_from_db()
    assert strategy.status == Strategy.Status.DRAFT
    services.strategy_submit(strategy=strategy)
    second = services.strategy_publish(strategy=strategy, by=world["coordinator"])
    assert second.number == 2
    assert [a["status"] for a in first.snapshot["actions"]] == ["done", "in_progress", "planned"]
    assert [a["status"] for a in second.snapshot["actions"]] == ["done", "in_progress", "delayed"]
    assert StrategyVersion.objects.filter(strategy=strategy).count() == 2


def test_the_public_page_and_the_pdf_show_the_published_version(client, world):
    strategy = strategy_full(world["town"])
    assert client.get("/communities/kalnciems/strategy/").status_code == 404
    assert client.get("/communities/kalnciems/strategy.pdf").status_code == 404
    services.strategy_submit(strategy=strategy)
    services.strategy_publish(strategy=strategy, by=None)
    services.action_add(strategy=strategy, title="Unpublished action")
    page = client.get("/communities/kalnciems/strategy/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Fibre to farms" in html
    assert "Unpublished action" not in html
    assert '<meter min="0" max="100" value="50">' in html
    need = Need.objects.get()
    assert f'href="/needs/{need.pk}/" lang="lv"' in html
    pdf = client.get("/communities/kalnciems/strategy.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


def test_a_strategy_is_written_only_by_its_community_editors(client, world):
    strategy_full(world["town"])
    for who in ("other_editor", "coordinator"):
        sign_in(client, world[who])
        assert client.get("/communities/kalnciems/strategy/edit/").status_code == 404
        response = client.post(
            "/communities/kalnciems/strategy/edit/",
            {"part": "objective", "objective-title": "Sneaked in"},
        )
        assert response.status_code == 404
    assert not Strategy.objects.get().objectives.filter(title="Sneaked in").exists()


def test_an_editor_writes_the_strategy_and_its_coordinator_publishes_it(client, world):
    sign_in(client, world["editor"])
    response = client.post(
        "/communities/kalnciems/strategy/edit/",
        {"strategy-title": "Gudrais ciems", "strategy-language": "lv",
         "strategy-meetings_held": "2", "strategy-people_involved": "40"},
    )  # fmt: skip
    assert response.status_code == 302
    client.post(
        "/communities/kalnciems/strategy/edit/",
        {"part": "action", "action-title": "Fibre", "action-status": "planned",
         "action-budget": "100", "action-starts_on": "2026-01-01", "action-ends_on": "2025-01-01"},
    )  # fmt: skip
    strategy = Strategy.objects.get()
    assert strategy.actions.count() == 0
    client.post(
        "/communities/kalnciems/strategy/edit/",
        {"part": "need", "need-title": "Optiskā šķiedra", "need-description": "Fermām.",
         "need-themes": ["broadband"], "need-budget_min": "5000", "need-budget_max": "9000"},
    )  # fmt: skip
    client.post("/communities/kalnciems/strategy/edit/", {"part": "submit"})
    strategy.refresh_from_db()
    assert strategy.status == "submitted"

    sign_in(client, world["other_coordinator"])
    assert client.post("/communities/kalnciems/strategy/review/").status_code == 404
    sign_in(client, world["coordinator"])
    response = client.post("/communities/kalnciems/strategy/review/")
    assert response.status_code == 302
    strategy.refresh_from_db()
    assert (strategy.status, strategy.version) == ("published", 1)
    need = Need.objects.get()
    assert (need.title, need.language, need.is_published) == ("Optiskā šķiedra", "lv", True)


def test_an_indicator_linked_to_the_hubs_takes_the_value_the_community_published(client, world):
    strategy = services.strategy_create(community=world["town"], title="S", language="lv")
    sign_in(client, world["editor"])
    response = client.post("/communities/kalnciems/strategy/edit/", {
        "part": "indicator", "indicator-name": "Mājsaimniecības ar platjoslu",
        "indicator-unit": "%", "indicator-baseline": "20", "indicator-target": "80",
        "indicator-target_year": "2030", "indicator-hub_indicator": "broadband-coverage",
    })  # fmt: skip
    assert response.status_code == 302
    assert strategy.indicators.get().hub_indicator == "broadband-coverage"
    services.indicator_add(strategy=strategy, name="Own", baseline=0, target=10,
                           target_year=2030, latest_value=5, latest_year=2027,
                           hub_indicator="internet-users")  # fmt: skip
    services.strategy_submit(strategy=strategy)
    services.strategy_publish(strategy=strategy, by=None)
    for indicator, year, value in (("broadband-coverage", 2025, "35"),
                                   ("broadband-coverage", 2026, "50"),
                                   ("internet-users", 2026, "9")):  # fmt: skip
        indicator_value_publish(community=world["town"], indicator=indicator,
                                period_start=datetime.date(year, 1, 1),
                                period_end=datetime.date(year, 12, 31), value=Decimal(value),
                                source="Survey", channel="web")  # fmt: skip
    html = client.get("/communities/kalnciems/strategy/").content.decode()
    # The latest published value (2026) against the target: half way from 20 to 80.
    assert '<meter min="0" max="100" value="50">' in html
    assert '<td>50 (2026)<br><small><a href="/indicators/broadband-coverage/">' in html
    assert "as published in the hub's indicators" in html
    # A value written into the strategy that is more recent than the hub's stays.
    assert '<td>5.00 (2027)<br><small><a href="/indicators/internet-users/">' in html
    bad = client.post("/communities/kalnciems/strategy/edit/", {
        "part": "indicator", "indicator-name": "X", "indicator-baseline": "0",
        "indicator-target": "1", "indicator-target_year": "2030",
        "indicator-hub_indicator": "made-up",
    })  # fmt: skip
    assert bad.status_code == 400


def test_an_action_ending_before_it_starts_is_refused_naming_the_field(client, world):
    strategy = services.strategy_create(community=world["town"], title="S")
    with pytest.raises(ValidationError) as error:
        services.action_add(strategy=strategy, title="A", starts_on=datetime.date(2026, 1, 2),
                            ends_on=datetime.date(2026, 1, 1))  # fmt: skip
    assert list(error.value.message_dict) == ["ends_on"]
    sign_in(client, world["editor"])
    response = client.post(
        "/communities/kalnciems/strategy/edit/",
        {"part": "action", "action-title": "A", "action-status": "planned",
         "action-starts_on": "2026-01-02", "action-ends_on": "2026-01-01"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "The end is before the start." in response.content.decode()


def test_parts_of_another_strategy_cannot_be_deleted_or_changed(client, world):
    mine = services.strategy_create(community=world["town"], title="Mine")
    theirs = services.strategy_create(community=world["other"], title="Theirs")
    their_action = services.action_add(strategy=theirs, title="Theirs")
    sign_in(client, world["editor"])
    client.post("/communities/kalnciems/strategy/edit/",
                {"part": "delete", "kind": "action", "pk": str(their_action.pk)})  # fmt: skip
    response = client.post(
        "/communities/kalnciems/strategy/edit/",
        {"part": "status", "pk": str(their_action.pk), "status": "done"},
    )
    assert response.status_code == 404
    their_action.refresh_from_db()
    assert their_action.status == "planned"
    assert mine.actions.count() == 0


@pytest.mark.parametrize(("prefix", "heading"), [("", "Progress"), ("/sv", "Framsteg")])
def test_the_strategy_page_speaks_the_interface_language(client, world, prefix, heading):
    strategy = strategy_full(world["town"])
    services.strategy_submit(strategy=strategy)
    services.strategy_publish(strategy=strategy, by=None)
    html = client.get(f"{prefix}/communities/kalnciems/strategy/").content.decode()
    assert f'<h2 id="progress">{heading}</h2>' in html
    assert '<h1 lang="lv">Gudrais ciems 2030</h1>' in html


def test_the_pdf_folds_letters_outside_latin1_without_a_unicode_font(world, monkeypatch):
    monkeypatch.setattr(pdf, "FONT_DIRS", ())
    strategy = strategy_full(world["town"])
    snapshot = strategy_snapshot(strategy)
    content = pdf.strategy_pdf(
        owner_name="Kalnciems", snapshot=snapshot, progress=strategy_progress(snapshot), version=1
    )
    assert content.startswith(b"%PDF-")
    assert (
        pdf._latin1("Platjoslas internets fermām, šķiedra")
        == "Platjoslas internets fermam, skiedra"
    )


def test_a_network_sees_the_actions_of_its_communities_by_theme_and_status(client, world):
    strategy = strategy_full(world["town"])
    broadband = Theme.objects.get(slug="broadband")
    services.action_add(strategy=strategy, title="Fibre to the school", themes=[broadband],
                        status=Action.Status.DONE)  # fmt: skip
    services.strategy_submit(strategy=strategy)
    services.strategy_publish(strategy=strategy, by=None)
    network = world["town"].networks.get()
    response = client.get(f"/networks/{network.slug}/actions/")
    actions = response.context["actions"]
    assert actions.by_theme == [
        ("broadband", "Broadband and fibre", [0, 0, 1, 0, 0]),
        ("", "", [1, 1, 1, 0, 0]),
    ]
    assert [a["title"] for a in actions.actions] == [
        "Fibre to farms", "Village app", "Bus on demand", "Fibre to the school",
    ]  # fmt: skip
    html = client.get(f"/sv/networks/{network.slug}/actions/").content.decode()
    assert '<th scope="row">Bredband och fiber</th>' in html


def test_a_network_lists_the_actions_of_one_theme_and_status(client, world):
    strategy = strategy_full(world["town"])
    broadband = Theme.objects.get(slug="broadband")
    services.action_add(strategy=strategy, title="Fibre to the school", themes=[broadband],
                        status=Action.Status.DONE)  # fmt: skip
    services.strategy_submit(strategy=strategy)
    services.strategy_publish(strategy=strategy, by=None)
    url = f"/networks/{world['town'].networks.get().slug}/actions/"

    def titles(query):
        response = client.get(url + query)
        assert response.status_code == 200
        return [a["title"] for a in response.context["actions"].actions]

    assert titles("?theme=broadband&status=") == ["Fibre to the school"]
    assert titles("?theme=-&status=done") == ["Fibre to farms"]
    assert titles("?theme=&status=in_progress") == ["Village app"]
    assert titles("?theme=broadband&status=planned") == []
    # The count in the table is the link to those actions; the list names their themes.
    html = client.get(url).content.decode()
    assert '<a href="?theme=broadband&amp;status=done">1<span class="visually-hidden">' in html
    assert "<td>Broadband and fibre</td>" in html
    bad = client.get(url + "?status=someday")
    assert bad.status_code == 400
    assert len(bad.context["actions"].actions) == 4
    assert 'role="alert"' in bad.content.decode()
