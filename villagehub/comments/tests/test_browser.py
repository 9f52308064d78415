"""Comments and the contact form in a real browser, with and without JavaScript: comment on
a practice, reply, edit; write to a network and answer by e-mail; and axe on every new page."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import User
from django.core import mail
from playwright.sync_api import expect

from villagehub.accounts.models import Role
from villagehub.accounts.services import role_grant
from villagehub.comments import services
from villagehub.comments.models import Comment
from villagehub.communities.models import Network
from villagehub.contact.models import ContactMessage
from villagehub.core.tests.browser import (
    assert_accessible,
    signed_in_as,
)
from villagehub.practices.models import Practice

pytestmark = pytest.mark.browser


@pytest.fixture
def people(demo_data):
    coordinator = User.objects.create_user(
        "mette", email="mette@example.org", password="x" * 20, first_name="Mette"
    )
    role_grant(
        user=coordinator,
        kind=Role.Kind.COORDINATOR,
        target=Network.objects.get(slug="smart-rural-21"),
    )
    TOTP.activate(coordinator, generate_totp_secret())
    reader = User.objects.create_user(
        "aino", email="aino@example.org", password="x" * 20, first_name="Aino"
    )
    return {"coordinator": coordinator, "reader": reader}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_reader_comments_replies_and_edits(context, page, site, people, javascript):
    signed_in_as(context, site, people["reader"])
    page.goto("/practices/torup-ting/")
    page.get_by_role("textbox", name="Your comment").fill("How often does the *Ting* meet?")
    page.get_by_role("button", name="Publish the comment").click()
    expect(page.get_by_role("status")).to_contain_text("Your comment has been published.")
    expect(page.get_by_role("heading", name="Comments (1)")).to_be_visible()
    expect(page.locator("#comments em")).to_have_text("Ting")

    page.get_by_text("Reply", exact=True).click()
    page.get_by_role("textbox", name="Your reply").fill("Twice a year, I think.")
    page.get_by_role("button", name="Publish the reply").click()
    expect(page.get_by_role("heading", name="Comments (2)")).to_be_visible()

    page.get_by_role("link", name="Edit your comment").first.click()
    page.get_by_role("textbox", name="Your comment").fill("How often does the Ting meet, please?")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("How often does the Ting meet, please?")).to_be_visible()
    top, reply = Comment.objects.order_by("pk")
    assert (top.edited_at is not None, reply.parent_id) == (True, top.pk)
    if javascript:  # axe needs it: each page a POST leads to is scanned in this variant
        assert_accessible(page, "the practice after editing a comment")

    # A moderator hides the reply with a reason; everyone sees that it was hidden, and why.
    context.clear_cookies()
    signed_in_as(context, site, people["coordinator"])
    page.goto("/practices/torup-ting/")
    page.get_by_role("link", name="Hide this comment").last.click()
    page.get_by_role("button", name="Hide").click()
    expect(page.get_by_role("alert")).to_be_visible()
    if javascript:
        assert_accessible(page, "the hiding form without a reason")
    page.get_by_role("textbox", name="Reason").fill("Answered elsewhere")
    page.get_by_role("button", name="Hide").click()
    expect(page.get_by_role("status")).to_contain_text("The comment is hidden.")
    expect(page.get_by_text("Hidden by the moderators: Answered elsewhere")).to_be_visible()
    reply.refresh_from_db()
    assert reply.hidden_reason == "Answered elsewhere"
    if javascript:
        assert_accessible(page, "the practice after hiding a comment")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_visitor_writes_to_a_network_and_a_coordinator_answers(
    context, page, site, people, javascript
):
    page.goto("/networks/smart-rural-21/")
    page.get_by_role("textbox", name="Your name").fill("Ilze Bērziņa")
    page.get_by_role("textbox", name="Your e-mail address").fill("ilze@example.lv")
    page.get_by_role("textbox", name="Your message").fill("Can our village join a café?")
    page.get_by_role("button", name="Send the message").click()
    # Without consent nothing is kept, and nothing typed is lost.
    expect(page.get_by_role("alert")).to_contain_text("Agree that the hub keeps your message")
    if javascript:  # axe needs it: each page a POST leads to is scanned in this variant
        assert_accessible(page, "the contact form without consent")
    expect(page.get_by_role("textbox", name="Your message")).to_have_value(
        "Can our village join a café?"
    )
    page.get_by_role("checkbox", name="I agree that the hub keeps my name").check()
    page.get_by_role("button", name="Send the message").click()
    expect(page.get_by_role("heading", name="Message sent")).to_be_visible()
    message = ContactMessage.objects.get()
    if javascript:
        assert_accessible(page, "the page after sending a message")

    signed_in_as(context, site, people["coordinator"])
    page.goto("/contact/messages/")
    page.get_by_role("link", name=message.created_at.strftime("%Y")).first.click()
    expect(page.get_by_text("Can our village join a café?")).to_be_visible()
    page.get_by_role("textbox", name="Your reply").fill("Yes: the next café is in March.")
    page.get_by_role("button", name="Send the reply").click()
    expect(page.get_by_role("status")).to_contain_text("Your reply has been sent by e-mail.")
    if javascript:
        assert_accessible(page, "the message after replying")
    reply = [m for m in mail.outbox if m.to == ["ilze@example.lv"]]
    assert len(reply) == 1 and "Yes: the next café is in March." in reply[0].body


def test_comment_and_contact_pages_have_no_accessibility_violations(context, page, site, people):
    practice = Practice.objects.get(slug="torup-ting")
    top = services.comment_create(
        item=practice, author=people["reader"], body="A **question**", language="en"
    )
    services.comment_create(
        item=practice, author=people["coordinator"], body="An answer", language="da", parent=top
    )
    hidden = services.comment_create(
        item=practice, author=people["reader"], body="Off topic", language="en"
    )
    services.comment_hide(comment=hidden, by=people["coordinator"], reason="Off topic")
    ContactMessage.objects.create(
        network=Network.objects.get(slug="smart-rural-21"), name="Ilze", email="i@example.lv",
        body="Hello", language="lv", consent_at=top.created_at, consent_notice_version="1",
    )  # fmt: skip
    message = ContactMessage.objects.get()
    pages = {
        "reader": [
            "/practices/torup-ting/",
            f"/comments/{top.pk}/edit/",
            f"/comments/{top.pk}/delete/",
        ],
        "coordinator": [
            "/practices/torup-ting/",
            f"/comments/{top.pk}/report/",
            f"/comments/{top.pk}/hide/",
            "/networks/smart-rural-21/",
            "/contact/messages/",
            f"/contact/messages/{message.pk}/",
        ],
        None: [
            "/practices/torup-ting/",
            "/networks/smart-rural-21/",
            "/countries/dk/",
            "/contact/network/smart-rural-21/",
        ],
    }
    for who, paths in pages.items():
        context.clear_cookies()
        if who:
            signed_in_as(context, site, people[who])
        for path in paths:
            page.goto(path)
            assert_accessible(page, f"{path} ({who})")
    # A coordinator closes comments on the network's pages: the page it leads to.
    signed_in_as(context, site, people["coordinator"])
    page.goto("/networks/smart-rural-21/")
    page.get_by_role("button", name="Close comments").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Comments are closed on this network's pages."
    )
    assert_accessible(page, "the network's page after closing comments")
    context.clear_cookies()
    # The form with its problems shown, and the page that thanks.
    page.goto("/contact/network/smart-rural-21/")
    page.get_by_role("button", name="Send the message").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("textbox", name="Your name").fill("Ilze")
    page.get_by_role("textbox", name="Your e-mail address").fill("ilze@example.lv")
    page.get_by_role("textbox", name="Your message").fill("Hello")
    page.get_by_role("checkbox", name="I agree that the hub keeps my name").check()
    page.get_by_role("button", name="Send the message").click()
    expect(page.get_by_role("heading", name="Message sent")).to_be_visible()
    assert_accessible(page)
