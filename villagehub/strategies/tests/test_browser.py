"""The pages of solutions, strategies and needs in a browser: axe finds nothing on them, in
English and Swedish, and the journey from a strategy to a solution works without
JavaScript. A network's strategy pages, the followed matches and the sign-up of a solution
provider, signed in, likewise; a
match at its reference installation becomes a practice proposal with and without
JavaScript."""

import pytest
from playwright.sync_api import expect

from villagehub.accounts.tests.factories import person
from villagehub.communities.models import Community
from villagehub.core.tests.browser import (
    assert_accessible,
    signed_in_as,
)
from villagehub.matching.services import follow_up_advance, follow_up_start
from villagehub.solutions import services as services_solutions
from villagehub.solutions.tests.factories import provider, solution
from villagehub.strategies import services
from villagehub.strategies.models import Action
from villagehub.strategies.selectors import strategy_get_for_editor
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
        assert_accessible(page, f"{language_prefix}{path}")


@pytest.mark.parametrize("javascript", [False], ids=["no-js"])
def test_from_a_strategy_to_the_solution_that_fits_its_need(page, strategy_world):
    page.goto("/communities/torup/")
    page.get_by_role("link", name="Strategy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Torup 2030")
    page.get_by_role("link", name="Bredbånd til gårdene").click()
    expect(page.get_by_text("Same theme: Broadband and fibre")).to_be_visible()
    page.get_by_role("link", name="Village fibre kit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Village fibre kit")


@pytest.fixture
def signed_in_coordinator(context, site, strategy_world):
    """A coordinator of Torup's network who also edits Torup, signed in in the browser."""
    town = Community.objects.get(slug="torup")
    network = town.networks.first()
    user = person("coordinator", coordinator=network, community_editor=town)
    signed_in_as(context, site, user)
    taskforce = services.strategy_create(network=network, title="Netværkets strategi 2030",
                                         language="da", vision="Levende landsbyer.")  # fmt: skip
    services.action_add(strategy=taskforce, title="Mentorer til landsbyerne")
    services.strategy_submit(strategy=taskforce)
    services.strategy_publish(strategy=taskforce, by=None)
    services.action_add(strategy=taskforce, title="Et nyt forslag")
    services.strategy_submit(strategy=taskforce)
    follow_up = follow_up_start(need=strategy_world["need"], solution=strategy_world["solution"],
                                by=user)  # fmt: skip
    follow_up_advance(follow_up=follow_up, stage="reference")
    return {"network": network.slug}


@pytest.mark.parametrize("language_prefix", ["", "/sv"], ids=["en", "sv"])
def test_network_strategy_followed_match_and_provider_pages_have_no_accessibility_violations(
    page, signed_in_coordinator, language_prefix
):
    slug = signed_in_coordinator["network"]
    for path in (
        f"/networks/{slug}/strategy/",
        f"/networks/{slug}/strategy/edit/",
        f"/networks/{slug}/strategy/review/",
        "/matches/",
        "/contribute/providers/new/",
    ):
        page.goto(language_prefix + path)
        assert page.get_by_role("heading", level=1).count() == 1, path
        assert_accessible(page, f"{language_prefix}{path}")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_reference_installation_becomes_a_practice_proposal(page, signed_in_coordinator):
    page.goto("/matches/")
    page.get_by_role("button", name="Propose it as a practice").click()
    expect(page.get_by_role("textbox", name="Title")).to_have_value("Village fibre kit in Torup")
    expect(page.get_by_role("textbox", name="Summary")).to_contain_text("Bredbånd til gårdene")
    page.goto("/matches/")
    expect(page.get_by_role("link", name="Complete it")).to_be_visible()


@pytest.mark.parametrize("language_prefix", ["", "/sv"], ids=["en", "sv"])
def test_editor_review_and_pipeline_pages_have_no_accessibility_violations(
    page, context, site, strategy_world, language_prefix
):
    """The pages a provider's editor, a community's editor and a reviewing coordinator work
    on, which the public pages' scan above does not reach."""
    town = Community.objects.get(slug="torup")
    kit = strategy_world["solution"]
    user = person("everyone", coordinator=town.networks.first(), community_editor=town,
                  organisation_editor=kit.provider)  # fmt: skip
    draft = solution(provider=kit.provider, name="Village sensor kit", published=False)
    services_solutions.solution_submit(solution=draft)
    follow_up_start(need=strategy_world["need"], solution=kit, by=user)
    services.action_add(strategy=strategy_get_for_editor(community_slug="torup", user=user),
                        title="Et nyt forslag")  # fmt: skip
    signed_in_as(context, site, user)
    for path in (
        "/solutions/mine/",
        f"/solutions/new/{kit.provider.slug}/",
        f"/solutions/{draft.slug}/edit/",
        f"/solutions/{draft.slug}/review/",
        "/communities/torup/strategy/edit/",
        "/communities/torup/strategy/review/",
        "/matches/pipeline/",
    ):
        page.goto(language_prefix + path)
        assert page.get_by_role("heading", level=1).count() == 1, path
        assert_accessible(page, f"{language_prefix}{path}")
