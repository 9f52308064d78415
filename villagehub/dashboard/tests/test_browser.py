"""The coordinator's new pages in a real browser: the dashboard (its period chosen without
JavaScript too), the newsletters page with its digest and a scheduled issue, the notices
inbox, the network's front door; axe on each."""

import pytest
from playwright.sync_api import expect

from villagehub.accounts.tests.factories import person
from villagehub.communities.models import Network
from villagehub.core.tests.browser import (
    assert_accessible,
    signed_in_as,
)
from villagehub.news.services import issue_create
from villagehub.notices.services import notices_create

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_coordinator_reads_the_dashboard_and_the_pages_have_no_accessibility_violations(
    context, page, site, demo_data, javascript
):
    network = Network.objects.order_by("name").first()
    coordinator = person("coordinator", coordinator=network)
    issue = issue_create(by=coordinator, network=network, subject="Spring news")
    notices_create(networks=[network], kind="dataset", subject="Broadband map", path="/")
    signed_in_as(context, site, coordinator)
    page.goto("/contribute/")
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_label("Period").select_option(label="The last 3 months")
    page.get_by_role("button", name="Show").click()
    expect(
        page.get_by_role(
            "table", name="Members, communities, publications and subscribers per month"
        ).get_by_role("row")
    ).to_have_count(4)
    if not javascript:
        return  # axe runs in the page's JavaScript
    for path in [
        "/dashboard/?period=3m",
        "/news/newsletters/",
        f"/news/newsletters/{issue.pk}/",
        "/news/write/",
        "/news/drafts/",
        "/contribute/",
        "/contribute/notices/",
        "/accounts/my-data/",
        "/accounts/language/",
        "/",
        network.get_absolute_url(),
    ]:
        page.goto(path)
        assert_accessible(page, path)
    # Pages only a POST reaches: the digest saved, the inbox's choices saved and all read,
    # the language of the e-mails chosen.
    page.goto("/news/newsletters/")
    page.locator("#id_digest-network").select_option(label=network.name)
    page.locator("#id_digest-frequency").select_option(value="weekly")
    page.get_by_role("button", name="Save the digest").click()
    expect(page.get_by_role("status")).to_contain_text("Your choices have been saved.")
    assert_accessible(page, "the newsletters page after saving the digest")
    page.goto("/contribute/notices/")
    page.get_by_label("A new data set").select_option(label="In a daily summary")
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_role("status")).to_contain_text("Your choices have been saved.")
    assert_accessible(page, "the inbox after saving the choices")
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_text("New:")).to_have_count(0)
    assert_accessible(page, "the inbox after marking all as read")
    page.goto("/accounts/language/")
    page.get_by_label("Language of your e-mails").select_option(label="suomi")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    assert_accessible(page, "My data after choosing the language of the e-mails")
