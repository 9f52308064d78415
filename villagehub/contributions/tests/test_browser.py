"""The contribution journey in a real browser: sign up, ask to edit a community, propose a
change to its practice, and a coordinator publishes it."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import User
from django.core import mail
from playwright.sync_api import expect

from villagehub.accounts.services import role_grant
from villagehub.communities.models import Network
from villagehub.contributions.models import RoleRequest
from villagehub.contributions.services import role_request_decide
from villagehub.core.tests.browser import (
    assert_accessible,
    signed_in_as,
    signed_up,
)

pytestmark = pytest.mark.browser

PASSWORD = "a long village password 42"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_sign_up_claim_a_community_propose_a_change_and_see_it_published(
    browser, context, page, site, javascript
):
    signed_up(page, email="peter@example.org", password=PASSWORD)

    page.goto("/communities/torup/")
    page.get_by_role("link", name="Do you represent this community? Ask to edit it").click()
    page.get_by_label("Your role in the community (optional)").fill("Host of the first café")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("status")).to_contain_text("Your request has been sent")

    # A coordinator of Smart Rural 21 approves the request (tested through its page elsewhere).
    role_request_decide(request=RoleRequest.objects.get(), approve=True)

    page.goto("/contribute/")
    torup_ting = page.get_by_role("listitem").filter(has_text="Torup Ting").last
    torup_ting.get_by_role("link", name="Propose a change").click()
    page.get_by_label("Title").fill("Torup Ting: the village assembly")
    page.get_by_role("button", name="Send for review").click()
    expect(page.get_by_role("status")).to_contain_text("Sent for review")

    coordinator = User.objects.create_user("coordinator", email="c@example.org")
    TOTP.activate(coordinator, generate_totp_secret())
    role_grant(
        user=coordinator, kind="coordinator", target=Network.objects.get(slug="smart-rural-21")
    )
    reviewer = browser.new_context(base_url=site, java_script_enabled=javascript)
    signed_in_as(reviewer, site, coordinator)
    review = reviewer.new_page()
    review.goto("/contribute/")
    review.get_by_role("link", name="Torup Ting: the village assembly").click()
    review.get_by_role("button", name="Publish").click()
    expect(review.get_by_role("heading", level=1)).to_have_text("Torup Ting: the village assembly")
    reviewer.close()
    assert mail.outbox[-1].subject == "Published: Torup Ting: the village assembly"


def test_contribution_pages_have_no_accessibility_violations(context, page, site, demo_data):

    from villagehub.communities.models import Community
    from villagehub.contributions.services import submission_save

    torup = Community.objects.get(slug="torup")
    editor = User.objects.create_user("editor", email="e@example.org")
    role_grant(user=editor, kind="community_editor", target=torup)
    TOTP.activate(editor, generate_totp_secret())
    role_grant(user=editor, kind="coordinator", target=torup.networks.first())
    submission = submission_save(
        author=editor,
        community=torup,
        data={"title": "Sauna", "summary": "A sauna.", "language": "da", "themes": []},
        submit=True,
    )
    signed_in_as(context, site, editor)
    for path in [
        "/contribute/",
        "/contribute/communities/torup/practices/new/",
        "/contribute/communities/new/",
        "/contribute/communities/torup/request/",
        f"/contribute/review/{submission.pk}/",
        "/accounts/my-data/",
        "/accounts/themes/",
        "/accounts/api-tokens/",
    ]:
        page.goto(path)
        assert_accessible(page, path)
