"""The pages of solutions, strategies and needs in a browser: axe finds nothing on them, in
English and Swedish, and the journey from a strategy to a solution works without
JavaScript."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from villagehub.communities.models import Community
from villagehub.core.tests.test_browser import AXE_OPTIONS, described_violations
from villagehub.solutions.tests.factories import provider, solution
from villagehub.strategies import services
from villagehub.strategies.models import Action
from villagehub.taxonomy.models import Theme

pytestmark = pytest.mark.browser


@pytest.fixture
def strategy_world(site):
    town = Community.objects.get(slug="torup")
    strategy = services.strategy_create(community=town, title="Torup 2030", language="da",
                                        vision="En levende landsby.")  # fmt: skip
    services.action_add(strategy=strategy, title="Fiber til alle", status=Action.Status.DONE)
    services.indicator_add(strategy=strategy, name="Husstande med fiber", unit="%",
                           baseline=10, target=90, target_year=2030, latest_value=50)  # fmt: skip
    need = services.need_add(strategy=strategy, title="Bredbånd til gårdene",
                             description="Vi har brug for fiber til alle gårde.",
                             themes=Theme.objects.filter(slug="broadband"))  # fmt: skip
    services.strategy_submit(strategy=strategy)
    services.strategy_publish(strategy=strategy, by=None)
    kit = solution(provider=provider("Fibre Co", country="DK"), countries="DK",
                   languages="en da")  # fmt: skip
    return {"need": need, "solution": kit, "network": town.networks.first().slug}


@pytest.mark.parametrize("language_prefix", ["", "/sv"], ids=["en", "sv"])
def test_new_pages_have_no_accessibility_violations(page, strategy_world, language_prefix):
    for path in (
        "/solutions/",
        strategy_world["solution"].get_absolute_url(),
        "/communities/torup/strategy/",
        strategy_world["need"].get_absolute_url(),
        f"/networks/{strategy_world['network']}/actions/",
    ):
        page.goto(language_prefix + path)
        results = Axe().run(page, options=AXE_OPTIONS)
        assert results.violations_count == 0, (
            f"axe found problems on {language_prefix}{path}:\n"
            + described_violations(results.response["violations"])
        )


@pytest.mark.parametrize("javascript", [False], ids=["no-js"])
def test_from_a_strategy_to_the_solution_that_fits_its_need(page, strategy_world):
    page.goto("/communities/torup/")
    page.get_by_role("link", name="Strategy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Torup 2030")
    page.get_by_role("link", name="Bredbånd til gårdene").click()
    expect(page.get_by_text("Same theme: Broadband and fibre")).to_be_visible()
    page.get_by_role("link", name="Village fibre kit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Village fibre kit")
