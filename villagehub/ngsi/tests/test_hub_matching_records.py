"""Solutions, reference installations, needs and strategies as read-only NGSI-LD entities:
only what is published, a reference's contact only when they agreed to be named."""

import pytest

from villagehub.communities.tests.factories import NetworkFactory
from villagehub.ngsi import ld
from villagehub.ngsi.models import Entity
from villagehub.ngsi.services import hub_records_sync
from villagehub.solutions import services as solution_services
from villagehub.solutions.services import reference_installation_add
from villagehub.solutions.tests.factories import provider, solution
from villagehub.strategies import services as strategy_services
from villagehub.taxonomy.models import Theme

pytestmark = pytest.mark.django_db

HUB_LINK = f'<{ld.hub_context_url()}>; rel="http://www.w3.org/ns/json-ld#context"'


@pytest.fixture
def published(town):
    kit = solution(provider=provider("Fibre Co"), name="Village fibre kit", countries="DK LV")
    solution(provider=provider("Draft Co"), name="Draft kit", published=False)
    named = reference_installation_add(solution=kit, community=town, year=2024,
                                       achieved="Fibre to 40 farms", contact_name="Anna Holm",
                                       contact_consent=True)  # fmt: skip
    unnamed = reference_installation_add(solution=kit, community=town, year=2025)
    strategy = strategy_services.strategy_create(community=town, title="Torup 2030",
                                                 vision="A living village.")  # fmt: skip
    need = strategy_services.need_add(strategy=strategy, title="Fibre for farms",
                                      description="Every farm online.", budget_max=60000,
                                      themes=Theme.objects.filter(slug="broadband"))  # fmt: skip
    strategy_services.strategy_submit(strategy=strategy)
    strategy_services.strategy_publish(strategy=strategy, by=None)
    taskforce = NetworkFactory(slug="lv-taskforce", country="LV")
    draft = strategy_services.strategy_create(network=taskforce, title="Draft plan")
    strategy_services.need_add(strategy=draft, title="Secret need", description="Not yet.")
    hub_records_sync()
    return {"kit": kit, "named": named, "unnamed": unnamed, "need": need}


def _get(anonymous, entity_id):
    return anonymous.get(f"/entities/{entity_id}", headers={"Link": HUB_LINK}).json()


def test_published_solutions_needs_and_strategies_become_entities(published, anonymous):
    kit = _get(anonymous, f"urn:ngsi-ld:Solution:{published['kit'].slug}")
    assert kit["type"] == "Solution"
    assert kit["name"]["value"] == "Village fibre kit"
    assert kit["areaServed"]["valueList"] == ["DK", "LV"]
    assert kit["refProvider"]["object"] == "urn:ngsi-ld:Organization:fibre-co"
    need = _get(anonymous, f"urn:ngsi-ld:Need:{published['need'].pk}")
    assert (need["name"]["value"], need["budgetMax"]["value"]) == ("Fibre for farms", 60000)
    assert need["refCommunity"]["object"] == "urn:ngsi-ld:Community:torup"
    strategy = _get(anonymous, "urn:ngsi-ld:Strategy:community-torup")
    assert (strategy["name"]["value"], strategy["version"]["value"]) == ("Torup 2030", 1)
    needs = Entity.objects.filter(hub_record=True, entity_id__startswith="urn:ngsi-ld:Need:")
    assert list(needs.values_list("entity_id", flat=True)) == [need["id"]]  # not the draft's
    assert not Entity.objects.filter(entity_id__startswith="urn:ngsi-ld:Strategy:network-").exists()
    assert not Entity.objects.filter(entity_id__contains="draft-kit").exists()


def test_a_reference_contact_is_named_only_with_consent(published, anonymous):
    named = _get(anonymous, f"urn:ngsi-ld:ReferenceInstallation:{published['named'].pk}")
    assert named["contactName"]["value"] == "Anna Holm"
    assert named["refCommunity"]["object"] == "urn:ngsi-ld:Community:torup"
    unnamed = _get(anonymous, f"urn:ngsi-ld:ReferenceInstallation:{published['unnamed'].pk}")
    assert "contactName" not in unnamed


def test_a_solution_taken_back_to_draft_is_no_longer_an_entity(published):
    kit = published["kit"]
    solution_services.solution_update(solution=kit, name=kit.name, summary="Changed.", trl=8)
    assert hub_records_sync()["deleted"] == 3  # the solution and its two references
    assert not Entity.objects.filter(entity_id__startswith="urn:ngsi-ld:Solution:").exists()
