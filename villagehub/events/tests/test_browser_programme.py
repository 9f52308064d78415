"""A coordinator runs the programme in a real browser, with and without JavaScript, and
every programme page passes the accessibility check."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import User
from django.core import mail
from playwright.sync_api import expect

from villagehub.accounts.services import role_grant
from villagehub.communities.models import Community, Network
from villagehub.core.tests.browser import (
    assert_accessible,
    registration_send,
    signed_in_as,
)
from villagehub.core.tests.test_browser import MAX_PAGE_BYTES
from villagehub.events import services
from villagehub.events.models import Event, Series

from .factories import event_hold

pytestmark = pytest.mark.browser


@pytest.fixture
def coordinator(context, site, demo_data):
    user = User.objects.create_user("coordinator", email="c@example.org", password="x" * 12)
    TOTP.activate(user, generate_totp_secret())
    role_grant(user=user, kind="coordinator", target=Network.objects.get(slug="smart-rural-21"))
    signed_in_as(context, site, user)
    return user


def cafe_form_fill(
    page, *, title: str, summary: str, starts_at: str, ends_at: str, meeting_link: str
) -> None:
    """The event form's first part for an online café of Smart Rural 21's café series in
    Copenhagen's time, registration in the hub."""
    page.locator("#id_title").fill(title)
    page.locator("#id_kind").select_option(label="Café")
    page.locator("#id_series").select_option(label="Smart Rural Communities Cafés")
    page.get_by_role("checkbox", name="Smart Rural 21").check()
    page.locator("#id_summary").fill(summary)
    page.get_by_label("Time zone").fill("Europe/Copenhagen")
    page.locator("#id_starts_at").fill(starts_at)
    page.locator("#id_ends_at").fill(ends_at)
    page.get_by_label("Online meeting link").fill(meeting_link)
    page.get_by_label("Registration in the hub").check()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_coordinator_creates_a_cafe_with_a_session_and_a_speaker_and_publishes_it(
    page, coordinator
):
    page.goto("/events/programme/")
    page.get_by_role("link", name="New event").click()
    cafe_form_fill(
        page,
        title="Smart Café: the village shop",
        summary="How a village keeps its shop open.",
        starts_at="2030-05-12T10:00",
        ends_at="2030-05-12T11:30",
        meeting_link="https://meet.example.org/shop",
    )

    page.locator("#id_sessions-0-title").fill("The shop's story")
    page.locator("#id_sessions-0-people-0-name").fill("Karen Holm")
    page.locator("#id_sessions-0-people-0-role").fill("Shopkeeper")
    page.locator("#id_sessions-0-people-0-publish_consent").check()
    # A second session needs a row: added without JavaScript by the page itself.
    page.get_by_role("button", name="Add rows").click()
    expect(page.locator("#id_title")).to_have_value("Smart Café: the village shop")
    expect(page.locator("#id_sessions-0-people-0-name")).to_have_value("Karen Holm")
    page.locator("#id_sessions-1-title").fill("Questions over coffee")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")

    event = Event.objects.get(title="Smart Café: the village shop")
    assert event.status == "draft" and event.series.slug == "smart-rural-communities-cafes"
    assert event.number is not None
    assert [s.title for s in event.sessions.all()] == ["The shop's story", "Questions over coffee"]

    page.get_by_role("button", name="Publish").click()
    page.get_by_role("button", name="Yes").click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    page.goto(f"/events/{event.slug}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("the village shop")
    expect(page.get_by_text("Karen Holm")).to_be_visible()
    expect(page.get_by_role("link", name="Register")).to_be_visible()
    page.goto("/events/?series=smart-rural-communities-cafes")
    expect(page.get_by_role("link", name="Smart Café: the village shop")).to_be_visible()


def test_programme_pages_have_no_accessibility_violations(page, coordinator):
    series = Series.objects.get(slug="smart-rural-communities-cafes")
    event = services.event_create(
        title="Smart Café: bees",
        kind="cafe",
        series=series,
        status="published",
        date_precision="unknown",
        organiser_networks=list(series.networks.all()),
        sessions=[{"title": "Bees", "people": [{"name": "Ana", "publish_consent": True}]}],
    )
    editor = User.objects.create_user("editor", email="e@example.org")
    offer = services.host_request_create(
        series=series,
        community=Community.objects.get(slug="torup"),
        proposer=editor,
        date_ideas="A Tuesday in May",
        theme="Village shops",
    )

    def check(path):
        response = page.goto(path)
        assert len(response.body()) < MAX_PAGE_BYTES, path
        assert_accessible(page, path)

    for path in [
        "/events/programme/",
        "/events/new/",
        f"/events/{event.slug}/edit/",
        "/events/series/new/",
        f"/events/series/{series.slug}/edit/",
        f"/events/offers/{offer.pk}/",
    ]:
        check(path)
    # The page that asks before cancelling, and the form with its errors.
    page.goto(f"/events/{event.slug}/edit/")
    page.get_by_role("button", name="Cancel the event").click()
    assert_accessible(page)
    page.goto("/events/new/")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("This field is required.")
    assert_accessible(page)

    # A community editor's page to offer a café.
    role_grant(user=editor, kind="community_editor", target=Community.objects.get(slug="torup"))
    TOTP.activate(editor, generate_totp_secret())
    signed_in_as(page.context, page.url.split("/events")[0], editor)
    check(f"/events/series/{series.slug}/host/")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_coordinator_creates_a_cafe_runs_it_and_publishes_its_report(
    browser, page, site, coordinator, javascript
):
    """One journey from the empty form to the published report: the café is created and
    published on the public site, a participant registers, the coordinator checks her in,
    sends the survey, sees the unanswered, and publishes the report, which names only the
    people who agreed."""
    page.goto("/events/new/")
    cafe_form_fill(
        page,
        title="Smart Café: the village bakery",
        summary="How a village bakes its own bread.",
        starts_at="2030-06-02T10:00",
        ends_at="2030-06-02T11:00",
        meeting_link="https://meet.example.org/bakery",
    )
    page.locator("#id_sessions-0-title").fill("Our bakery")
    page.locator("#id_sessions-0-people-0-name").fill("Jens Bager")
    page.locator("#id_sessions-0-people-0-publish_consent").check()
    page.locator("#id_sessions-0-people-0-recording_consent").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    page.get_by_role("button", name="Publish").click()
    page.get_by_role("button", name="Yes").click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    event = Event.objects.get(title="Smart Café: the village bakery")

    # Two participants register on the public page; one agrees to be named, one does not.
    guest = browser.new_context(base_url=site, java_script_enabled=javascript)
    visitor = guest.new_page()
    for name, agrees in (("Mette Dam", True), ("Ole Lund", False)):
        visitor.goto(f"/events/{event.slug}/")
        visitor.get_by_role("link", name="Register").click()
        consents = (
            ("I agree to be recorded", "I agree that my name and pictures of me are published")
            if agrees
            else ()
        )
        registration_send(
            visitor, name=name, email=f"{name.split()[0].lower()}@example.dk", consents=consents
        )
    guest.close()

    # The morning of the café: the coordinator checks both in; then the café is over.
    event_hold(event)
    page.goto(f"/events/{event.slug}/manage/")
    page.get_by_role("button", name="Check in Mette Dam").click()
    page.get_by_role("button", name="Check in Ole Lund").click()
    expect(page.get_by_role("button", name="Mark Ole Lund absent")).to_be_visible()
    mail.outbox.clear()
    page.get_by_role("button", name="Send the survey to everyone who attended").click()
    expect(page.get_by_role("status")).to_contain_text("The survey is being sent")
    assert sorted(m.to[0] for m in mail.outbox) == ["mette@example.dk", "ole@example.dk"]
    expect(
        page.get_by_text("Mette Dam (mette@example.dk) — asked, not reminded yet")
    ).to_be_visible()

    page.get_by_role("link", name="Event report: summary, photos, consent, practices").click()
    consent_table = page.get_by_role("table", name="Who did not agree")
    expect(consent_table).to_contain_text("Ole Lund")
    expect(consent_table).not_to_contain_text("Mette Dam")
    expect(consent_table).not_to_contain_text("Jens Bager")
    page.get_by_label("Summary", exact=True).fill("Eighteen people learnt to run a bakery.")
    page.get_by_label("Key points", exact=True).fill("Bake together\nSell at the hall")
    page.get_by_label("Publish the report").check()
    page.get_by_role("button", name="Save the report").click()
    expect(page.get_by_text("The report has been saved.")).to_be_visible()
    page.get_by_role("link", name="See the published report").click()
    main = page.get_by_role("main")
    expect(main).to_contain_text("Eighteen people learnt to run a bakery.")
    expect(main).to_contain_text("Jens Bager")
    expect(main).to_contain_text("Mette Dam")
    expect(main).not_to_contain_text("Ole Lund")
    page.goto(f"/events/{event.slug}/")
    expect(page.get_by_role("link", name="Read the event's report")).to_be_visible()
