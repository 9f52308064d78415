import pytest
from django.utils import translation

from villagehub.communities.tests.factories import CommunityFactory
from villagehub.matching.selectors import needs_for_solution, solutions_for_need
from villagehub.solutions.services import reference_installation_add
from villagehub.solutions.tests.factories import provider, solution
from villagehub.strategies import services
from villagehub.taxonomy.models import FundingSource, Theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    town = CommunityFactory(slug="kalnciems", name="Kalnciems", country="LV", population=7000,
                            language="lv")  # fmt: skip
    strategy = services.strategy_create(community=town, title="Gudrais ciems", language="lv")
    need = services.need_add(
        strategy=strategy,
        title="Platjoslas internets fermām",
        description="Vajag optisko šķiedru visām fermām un skolai.",
        themes=Theme.objects.filter(slug="broadband"),
        budget_min=10000,
        budget_max=60000,
        funding_source=FundingSource.objects.get(slug="cap-leader"),
    )
    services.strategy_submit(strategy=strategy)
    services.strategy_publish(strategy=strategy, by=None)
    fibre = solution(
        provider=provider("Fibre Co"),
        name="Village fibre kit",
        summary="Fibre broadband for every farm, built with the residents.",
        languages="en lv",
        countries="LV EE",
        price_min=20000,
        funding_sources=FundingSource.objects.filter(slug="cap-leader"),
    )
    for n, population in enumerate((6000, 12000, 30000, 800)):
        reference_installation_add(
            solution=fibre, community=CommunityFactory(population=population), year=2020 + n
        )
    goats = solution(
        provider=provider("Goat Co", country="SE"),
        name="Goat collars",
        summary="LoRaWAN collars that tell where the goats are.",
        themes=("agriculture-iot",),
        countries="SE",
        price_min=90000,
    )
    return {"need": need, "fibre": fibre, "goats": goats}


def test_a_latvian_need_finds_the_english_solution_and_says_why(world):
    proposals = solutions_for_need(need=world["need"])
    assert [p.record for p in proposals] == [world["fibre"]]
    assert proposals[0].reasons == [
        "Same theme: Broadband and fibre",
        "3 reference installations in places of 5,000–50,000 inhabitants",
        "Offered in latviešu",
        "Serves Latvia",
        "Qualifies for CAP – LEADER",
        "Its price fits the budget",
    ]


def test_the_reasons_are_in_the_visitor_language(world):
    with translation.override("sv"):
        reasons = solutions_for_need(need=world["need"])[0].reasons
    assert reasons[0] == "Samma tema: Bredband och fiber"
    assert reasons[3] == "Verksam i Lettland"


def test_a_solution_finds_the_needs_it_fits(world):
    proposals = needs_for_solution(solution=world["fibre"])
    assert [p.record for p in proposals] == [world["need"]]
    assert proposals[0].reasons[0] == "Same theme: Broadband and fibre"
    assert needs_for_solution(solution=world["goats"]) == []


def test_words_of_a_theme_label_bridge_languages_without_a_tag(world):
    untagged = solution(
        provider=provider("Net Co"),
        name="Rural network",
        summary="Optical fibre backbone.",
        themes=(),
        description="Platjoslas tīkls.",
    )
    proposals = solutions_for_need(need=world["need"])
    found = {p.record: p.reasons for p in proposals}
    assert "Both descriptions speak of Broadband and fibre" in found[untagged]


def test_a_changed_solution_is_matched_at_the_next_request(world):
    assert len(solutions_for_need(need=world["need"])) == 1
    other = solution(provider=provider("Second Co"), name="Second fibre kit")
    assert other in [p.record for p in solutions_for_need(need=world["need"])]


def test_pages_show_the_proposals_with_their_reasons(client, world):
    need_page = client.get(f"/needs/{world['need'].pk}/").content.decode()
    assert "Village fibre kit" in need_page
    assert "<li>Serves Latvia</li>" in need_page
    solution_page = client.get(world["fibre"].get_absolute_url()).content.decode()
    assert "Platjoslas internets fermām" in solution_page
    assert "<li>Same theme: Broadband and fibre</li>" in solution_page
