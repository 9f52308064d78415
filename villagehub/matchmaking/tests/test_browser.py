"""A provider and a town meet at a workshop, scheduled and marked held by the organiser, in a
real browser with and without JavaScript,
and an accessibility check of every matchmaking page."""

import pytest
from django.contrib.auth.models import Permission, User
from playwright.sync_api import expect

from villagehub.core.tests.browser import (
    assert_accessible,
    signed_in_as,
)
from villagehub.events.selectors import registration_token
from villagehub.events.tests.factories import register
from villagehub.events.tests.test_views import with_two_factor
from villagehub.matchmaking import services
from villagehub.matchmaking.models import Meeting, MeetingRequest

from .factories import matchmaking_make, profile_make

pytestmark = pytest.mark.browser


@pytest.fixture
def workshop(demo_data):
    return matchmaking_make(
        slots=3, tables=5, breaks=(1,), title="Smart towns meet solution providers"
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_provider_asks_a_town_for_a_meeting_and_both_see_it_on_their_agenda(
    browser, page, site, workshop, javascript
):
    town = profile_make(workshop, 1, name="Aino Virtanen", organisation="Raudanmaa")
    provider, _ = register(workshop.event, 2, name="Bo Berg", organisation="Fibre Co")

    page.goto(f"/events/registration/{registration_token(provider)}/")
    page.get_by_role("link", name="One-to-one meetings").click()
    expect(page.get_by_role("textbox", name="Organisation")).to_have_value("Fibre Co")
    page.get_by_role("textbox", name="What you offer").fill("Village fibre networks")
    page.get_by_role("button", name="Save your profile").click()
    expect(page.get_by_text("Your profile has been saved.")).to_be_visible()

    page.get_by_role("link", name="Find people to meet").click()
    page.get_by_role("searchbox", name="Find a participant").fill("Raudanmaa")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name="Aino Virtanen").click()
    page.get_by_role("textbox", name="Message").fill("A pilot in your village hall?")
    page.get_by_role("combobox", name="Priority").select_option(label="High")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("Your request has been sent.")).to_be_visible()

    page.goto(f"/matchmaking/{registration_token(town.registration)}/")
    page.get_by_role("button", name="Accept the meeting with Bo Berg").click()
    expect(page.get_by_text("Accepted")).to_be_visible()
    assert MeetingRequest.objects.get().status == "accepted"

    # The organiser runs the scheduler and prints the table plan.
    organiser = browser.new_context(base_url=site, java_script_enabled=javascript)
    signed_in_as(organiser, site, _organiser())
    desk = organiser.new_page()
    desk.goto(f"/matchmaking/manage/{workshop.event.slug}/")
    desk.get_by_role("button", name="Run the scheduler (keep placed meetings)").click()
    expect(desk.get_by_text("0 conflicts")).to_be_visible()
    desk.get_by_role("link", name="Table plan (printable)").click()
    expect(desk.get_by_role("main")).to_contain_text("Bo Berg (Fibre Co)")

    page.get_by_role("link", name="Your agenda").click()
    table = page.get_by_role("table")
    expect(table).to_contain_text("Bo Berg (Fibre Co)")
    page.get_by_role("textbox", name="What came of the meeting with Bo Berg").fill(
        "Pilot in spring"
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    assert Meeting.objects.get().recipient_outcome == "Pilot in spring"

    # After the event the organiser marks the meeting held on the table plan.
    desk.get_by_role("button", name="Mark held").click()
    expect(desk.get_by_role("button", name="Held ✓ · Undo")).to_be_visible()
    assert Meeting.objects.get().status == "held"
    organiser.close()


def _organiser():
    organiser = User.objects.create_user("coordinator", password="x" * 12)
    organiser.user_permissions.add(Permission.objects.get(codename="change_event"))
    return with_two_factor(organiser)


@pytest.mark.parametrize("language_prefix", ["", "/sv"], ids=["en", "sv"])
def test_matchmaking_pages_have_no_accessibility_violations(
    page, context, site, workshop, language_prefix
):
    ana, bo = profile_make(workshop, 1), profile_make(workshop, 2)
    request = services.meeting_request_create(requester=ana, recipient=bo)
    services.meeting_request_decide(request=request, by=bo, accept=True)
    services.meeting_request_create(requester=profile_make(workshop, 3), recipient=ana)
    services.schedule_run(matchmaking=workshop)
    organiser = User.objects.create_user("coordinator", password="x" * 12)
    organiser.user_permissions.add(Permission.objects.get(codename="change_event"))
    signed_in_as(context, site, with_two_factor(organiser))
    token = registration_token(ana.registration)
    slug = workshop.event.slug
    for path in [
        f"/matchmaking/{token}/",
        f"/matchmaking/{token}/participants/",
        f"/matchmaking/{token}/participants/{bo.pk}/",
        f"/matchmaking/{token}/agenda/",
        f"/matchmaking/manage/{slug}/",
        f"/matchmaking/manage/{slug}/plan/",
    ]:
        page.goto(language_prefix + path)
        assert_accessible(page, f"{language_prefix}{path}")
