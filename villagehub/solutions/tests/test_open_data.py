"""Solutions, reference installations, needs and strategies as open data: the bulk
downloads and the DCAT-AP catalogue, public records only, contacts only with consent."""

import csv
import io
import json

import pytest

from villagehub.catalogue.models import Dataset
from villagehub.communities.tests.factories import CommunityFactory
from villagehub.solutions.services import reference_installation_add
from villagehub.solutions.tests.factories import provider, solution
from villagehub.strategies import services as strategy_services
from villagehub.taxonomy.models import Theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    fibre_co = provider("Fibre Co")
    kit = solution(provider=fibre_co, name="Village fibre kit", countries="LV EE")
    solution(provider=fibre_co, name="Draft kit", published=False)
    town = CommunityFactory(slug="kalnciems", country="LV", population=7000)
    reference_installation_add(
        solution=kit, community=town, year=2024, achieved="Fibre to 40 farms",
        contact_name="Anna Bērziņa", contact_consent=True,
    )  # fmt: skip
    reference_installation_add(
        solution=kit, community=CommunityFactory(slug="torup"), year=2025, achieved="School"
    )
    published = strategy_services.strategy_create(community=town, title="Gudrais ciems",
                                                  language="lv")  # fmt: skip
    strategy_services.need_add(
        strategy=published, title="Platjoslas internets", description="Optiskā šķiedra.",
        themes=Theme.objects.filter(slug="broadband"), budget_max=60000,
    )  # fmt: skip
    strategy_services.strategy_submit(strategy=published)
    strategy_services.strategy_publish(strategy=published, by=None)
    draft = strategy_services.strategy_create(community=CommunityFactory(), title="Draft plan")
    strategy_services.need_add(strategy=draft, title="Secret need", description="Not yet.")
    return {"kit": kit}


def _json(client, name):
    response = client.get(f"/downloads/{name}.json")
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))


def test_the_downloads_hold_the_published_solutions_and_their_references(client, world):
    rows = _json(client, "solutions")
    assert [r["slug"] for r in rows] == [world["kit"].slug]
    assert (rows[0]["provider"], rows[0]["countries"], rows[0]["themes"]) == (
        "fibre-co", ["LV", "EE"], ["broadband"],
    )  # fmt: skip
    references = _json(client, "references")
    assert [(r["community"], r["year"], r["contact"]) for r in references] == [
        ("kalnciems", 2024, "Anna Bērziņa"), ("torup", 2025, ""),
    ]  # fmt: skip
    table = list(csv.DictReader(io.StringIO(
        b"".join(client.get("/downloads/references.csv").streaming_content).decode()
    )))  # fmt: skip
    assert table[0]["achieved"] == "Fibre to 40 farms"


def test_the_downloads_hold_the_needs_and_strategies_once_published(client, world):
    needs = _json(client, "needs")
    assert [
        (n["title"], n["community"], n["country"], n["themes"], n["budget_max"]) for n in needs
    ] == [("Platjoslas internets", "kalnciems", "LV", ["broadband"], 60000)]
    strategies = _json(client, "strategies")
    assert [(s["community"], s["version"], s["content"]["title"]) for s in strategies] == [
        ("kalnciems", 1, "Gudrais ciems"),
    ]  # fmt: skip
    assert (
        "Secret need" not in b"".join(client.get("/downloads/needs.csv").streaming_content).decode()
    )


def test_the_catalogue_describes_the_new_lists_with_their_distributions(client, world):
    urls = {
        d.hub_list: sorted(x.access_url for x in d.distributions.all())
        for d in Dataset.objects.filter(
            hub_list__in=["solutions", "references", "needs", "strategies"]
        )
    }
    assert urls["solutions"] == [
        "/api/v1/solutions", "/downloads/solutions.csv", "/downloads/solutions.json",
    ]  # fmt: skip
    assert urls["references"] == ["/downloads/references.csv", "/downloads/references.json"]
    assert set(urls) == {"solutions", "references", "needs", "strategies"}
    turtle = client.get("/catalog.ttl").content.decode()
    assert "/downloads/needs.csv" in turtle
    assert "/api/v1/strategies" in turtle
