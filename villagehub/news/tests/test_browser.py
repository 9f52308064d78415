"""The newsletter journey in a real browser, with and without JavaScript: subscribe,
confirm by the link mailed, change the choices, unsubscribe; and axe on the news pages."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from villagehub.communities.models import Network
from villagehub.core.tests.browser import (
    assert_accessible,
)
from villagehub.news.models import Subscription
from villagehub.news.selectors import CONFIRM_SALT, MANAGE_SALT, subscription_token

from .factories import NewsItemFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def news(demo_data):
    return NewsItemFactory(
        slug="fibre",
        title="Fibre for every farm",
        summary="All farms are connected.",
        body="## How\n\n- dig\n- connect",
        network=Network.objects.order_by("name").first(),
    )


def _path_in(message, kind: str) -> str:
    url = re.search(rf"https://hub\.example\.org(/\S*/{kind}/\S+/)", message.body)
    assert url, message.body
    return urlsplit("https://hub.example.org" + url.group(1)).path


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_reader_subscribes_confirms_changes_choices_and_unsubscribes(page, news, javascript):
    page.goto("/news/")
    page.get_by_role("link", name="Subscribe to the newsletter").click()
    page.get_by_role("textbox", name="Your e-mail address").fill("aino@example.org")
    page.get_by_role("checkbox", name="Upcoming events").uncheck()
    page.get_by_role("combobox", name="Language of the messages").select_option(label="Swedish")
    page.get_by_role("checkbox", name="I agree that the hub keeps my address").check()
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    if javascript:  # axe needs it: each page a POST leads to is scanned in this variant
        assert_accessible(page, "the page after subscribing")

    (message,) = mail.outbox
    page.goto(_path_in(message, "confirm"))
    page.get_by_role("button", name="Bekräfta").click()
    expect(page.get_by_text("Din prenumeration är bekräftad.")).to_be_visible()
    if javascript:
        assert_accessible(page, "the page after confirming")
    subscription = Subscription.objects.get()
    assert subscription.status == Subscription.Status.CONFIRMED
    assert subscription.kinds == ["news", "practices"]

    page.get_by_role("checkbox", name="Nya praktiker").uncheck()
    page.get_by_role("button", name="Spara mina val").click()
    expect(page.get_by_text("Dina val har sparats.")).to_be_visible()
    if javascript:
        assert_accessible(page, "the preferences once saved")
    subscription.refresh_from_db()
    assert subscription.kinds == ["news"]

    page.get_by_role("link", name="Avsluta prenumerationen").click()
    page.get_by_role("button", name="Avsluta prenumerationen").click()
    expect(page.get_by_role("heading", name="Prenumerationen avslutad")).to_be_visible()
    if javascript:
        assert_accessible(page, "the page after unsubscribing")
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.UNSUBSCRIBED


def test_news_and_newsletter_pages_have_no_accessibility_violations(page, news):
    Subscription.objects.create(email="aino@example.org", language="en", kinds=["news"])
    token = subscription_token(Subscription.objects.get(), salt=MANAGE_SALT)
    confirm = subscription_token(Subscription.objects.get(), salt=CONFIRM_SALT)
    for path in [
        "/news/",
        "/news/fibre/",
        "/news/subscribe/",
        f"/news/subscribe/confirm/{confirm}/",
        f"/news/subscription/{token}/",
        f"/news/unsubscribe/{token}/",
    ]:
        page.goto(path)
        assert_accessible(page, path)
