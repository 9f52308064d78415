"""The indicator pages in a browser: axe finds nothing on them, in English and Swedish, and
an editor publishes a value without JavaScript and sees the comparison."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from villagehub.accounts.tests.factories import person
from villagehub.communities.models import Community
from villagehub.communities.tests.factories import CommunityFactory
from villagehub.core.tests.browser import (
    assert_accessible,
    signed_in_as,
)
from villagehub.indicators import services

pytestmark = pytest.mark.browser


@pytest.fixture
def peers(site):
    """Torup of the demo (whose population the sources state) and six synthetic peers of
    the same size band with a broadband value for 2024; Torup's own value is left to the
    test."""
    torup = Community.objects.get(slug="torup")
    for n, value in enumerate((35, 48, 52, 61, 70, 83)):
        town = CommunityFactory(slug=f"peer-{n}", name=f"Peer {n}", country="DK",
                                population=(torup.population or 6000) + n)  # fmt: skip
        for year, change in ((2023, -5), (2024, 0)):
            services.indicator_value_publish(
                community=town, indicator="broadband-coverage", period_start=date(year, 1, 1),
                period_end=date(year, 12, 31), value=Decimal(value + change), source="Test",
                channel="web",
            )  # fmt: skip
    return torup


@pytest.mark.parametrize("language_prefix", ["", "/sv"], ids=["en", "sv"])
def test_indicator_pages_have_no_accessibility_violations(
    page, context, site, peers, language_prefix
):
    services.indicator_value_publish(
        community=peers, indicator="broadband-coverage", period_start=date(2024, 1, 1),
        period_end=date(2024, 12, 31), value=Decimal(55), source="Test", channel="web",
    )  # fmt: skip
    signed_in_as(context, site, person("editor", community_editor=peers))
    for path in (
        "/indicators/",
        "/indicators/broadband-coverage/",
        "/indicators/broadband-coverage/?community=torup",
        "/indicators/internet-users/",
        "/communities/torup/",
        "/communities/torup/indicators/",
    ):
        page.goto(language_prefix + path)
        assert_accessible(page, f"{language_prefix}{path}")


@pytest.mark.parametrize("javascript", [False], ids=["no-js"])
def test_an_editor_publishes_a_value_and_sees_where_the_village_stands(page, context, site, peers):
    signed_in_as(context, site, person("editor", community_editor=peers))
    page.goto("/communities/torup/")
    expect(page.get_by_text("This community has not published indicators yet.")).to_be_visible()
    page.get_by_role("link", name="Publish the first value").click()
    page.get_by_label("Indicator").select_option("broadband-coverage")
    page.get_by_label("Year").fill("2024")
    page.get_by_label("Value").fill("120")
    page.get_by_label("Source").fill("Danmarks Statistik")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("The value must be between 0 and 100.")).to_be_visible()
    expect(page.get_by_label("Source")).to_have_value("Danmarks Statistik")
    page.get_by_label("Value").fill("55")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("The value is published.")).to_be_visible()
    page.get_by_role(
        "link", name="Broadband coverage (households reached by 100 Mbit/s or more)"
    ).click()
    expect(page.get_by_role("img").first).to_be_visible()
    denmark = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Denmark"))
    expect(denmark.first).to_contain_text("4 of 7")
