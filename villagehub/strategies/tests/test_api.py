import pytest

from villagehub.communities.tests.factories import CommunityFactory
from villagehub.solutions.services import reference_installation_add
from villagehub.solutions.tests.factories import provider, solution
from villagehub.strategies import services
from villagehub.taxonomy.models import Theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    town = CommunityFactory(slug="kalnciems", country="LV", population=7000, language="lv")
    strategy = services.strategy_create(community=town, title="Gudrais ciems", language="lv")
    need = services.need_add(strategy=strategy, title="Platjoslas internets",
                             description="Optiskā šķiedra.",
                             themes=Theme.objects.filter(slug="broadband"))  # fmt: skip
    services.strategy_submit(strategy=strategy)
    services.strategy_publish(strategy=strategy, by=None)
    services.need_add(strategy=strategy, title="Not yet published", description="Draft.")
    fibre = solution(provider=provider("Fibre Co"), countries="LV", languages="en lv")
    reference_installation_add(solution=fibre, community=town, year=2024, contact_name="Anna",
                               contact_consent=True)  # fmt: skip
    reference_installation_add(solution=fibre, community=CommunityFactory(), year=2023)
    solution(provider=provider("Draft Co"), name="Draft kit", published=False)
    return {"need": need, "fibre": fibre}


def test_solutions_lists_the_published_ones_with_their_references(client, world):
    body = client.get("/api/v1/solutions").json()
    assert body["count"] == 1
    record = body["results"][0]
    assert (record["slug"], record["provider"], record["themes"]) == (
        "village-fibre-kit", "fibre-co", ["broadband"],
    )  # fmt: skip
    assert (record["countries"], record["languages"]) == (["LV"], ["en", "lv"])
    assert [(r["community"], r["contact"]) for r in record["references"]] == [
        ("kalnciems", "Anna"), (record["references"][1]["community"], ""),
    ]  # fmt: skip
    assert client.get("/api/v1/solutions?country=se").json()["count"] == 0
    assert client.get("/api/v1/solutions/draft-kit").status_code == 404
    bad = client.get("/api/v1/solutions?trl=12")
    assert bad.status_code == 400
    assert "trl" in bad.content.decode()


def test_needs_lists_only_the_needs_of_published_versions(client, world):
    body = client.get("/api/v1/needs").json()
    assert [(n["title"], n["community"], n["country"], n["themes"]) for n in body["results"]] == [
        ("Platjoslas internets", "kalnciems", "LV", ["broadband"])
    ]


def test_strategies_lists_the_latest_published_version(client, world):
    body = client.get("/api/v1/strategies").json()
    assert body["count"] == 1
    strategy = body["results"][0]
    assert (strategy["community"], strategy["version"]) == ("kalnciems", 1)
    assert strategy["content"]["title"] == "Gudrais ciems"
    assert [n["title"] for n in strategy["content"]["needs"]] == ["Platjoslas internets"]
