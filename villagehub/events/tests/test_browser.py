"""The registration journey in a real browser, with and without JavaScript, and an
accessibility check of the pages a participant sees."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from villagehub.accounts.services import role_grant
from villagehub.communities.models import Community, Network
from villagehub.core.tests.browser import (
    assert_accessible,
    registration_send,
    signed_in_as,
)
from villagehub.events import selectors, services
from villagehub.events.models import Registration, Series

from .factories import event_hold, event_make, register

pytestmark = pytest.mark.browser


@pytest.fixture
def cafe(demo_data):
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(days=14)
    return event_make(
        title="5th Smart Communities Café, Raudanmaa",
        host_community=Community.objects.get(slug="raudanmaa"),
        starts_at=start,
        ends_at=start + timedelta(hours=1, minutes=30),
        time_zone="Europe/Helsinki",
        capacity=20,
        questions=[{"label": "What would you like to ask the hosts?"}],
    )


def path_of_link_in(message) -> str:
    url = re.search(r"https://hub\.example\.org(/\S*registration/\S+/)", message.body)
    assert url, message.body
    return urlsplit("https://hub.example.org" + url.group(1)).path


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_participant_finds_a_cafe_registers_cancels_and_answers_the_survey(page, site, cafe):
    page.goto("/events/")
    page.get_by_label("Kind").select_option(label="Café")
    page.get_by_role("radio", name="Upcoming").check()
    page.get_by_role("button", name="Show events").click()
    page.get_by_role("link", name="5th Smart Communities Café, Raudanmaa").click()
    expect(page.get_by_text("(Europe/Helsinki)")).to_be_visible()
    page.get_by_role("link", name="Register").click()

    page.get_by_role("combobox", name="Country").select_option(label="Finland")
    page.get_by_label("What would you like to ask the hosts?").fill("How does the hall pay?")
    registration_send(page, name="Aino Virtanen", email="aino@example.org")

    (confirmation,) = mail.outbox
    assert confirmation.subject == "You are registered: 5th Smart Communities Café, Raudanmaa"
    assert confirmation.attachments[0].filename.endswith(".ics")
    link = path_of_link_in(confirmation)

    page.goto(link)
    expect(page.get_by_role("status").first).to_contain_text("Your place is confirmed.")
    page.get_by_role("link", name="Cancel my registration").click()
    expect(page.get_by_role("heading", name="Cancel your registration?")).to_be_visible()
    page.get_by_role("button", name="Yes, cancel my registration").click()
    status = page.get_by_role("status").first
    expect(status).to_contain_text("Your registration has been cancelled.")
    expect(page.get_by_text("This registration is cancelled.")).to_be_visible()
    assert Registration.objects.get().status == "cancelled"

    # Registered again (a registration of its own, with its own link), attended, and
    # asked for feedback once the café is over; the first link now explains itself.
    registration, _ = register(cafe, "again", email="aino@example.org")
    event_hold(cafe)
    services.attendance_set(registration=registration, attended=True)
    page.goto(link)
    expect(page.get_by_role("alert")).to_contain_text("registered for the event again since")
    page.goto(f"/events/registration/{selectors.registration_token(registration)}/")
    page.get_by_role("link", name="Answer the feedback survey").click()
    page.get_by_role("radio", name="Yes").check()
    page.locator("#id_recommend_9").check()
    page.locator("#id_satisfaction_4").check()
    page.get_by_label("What was most useful to you?").fill("Meeting the cooperative.")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert registration.feedback.recommend == 9


def test_invalid_registration_lists_the_errors_with_links_to_the_fields(page, cafe):
    page.goto(f"/events/{cafe.slug}/register/")
    page.get_by_role("textbox", name="E-mail").fill("aino at example")
    page.get_by_role("button", name="Register").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Enter a valid email address.")
    expect(alert).to_contain_text("Please accept the privacy notice to register.")
    alert.get_by_role("link", name="E-mail").click()
    expect(page.get_by_role("textbox", name="E-mail")).to_be_focused()


@pytest.mark.parametrize("language_prefix", ["", "/sv"], ids=["en", "sv"])
def test_participant_pages_have_no_accessibility_violations(page, cafe, language_prefix):
    registration, _ = register(cafe, 1)
    token = selectors.registration_token(registration)

    def check(path):
        page.goto(language_prefix + path)
        assert_accessible(page, f"{language_prefix}{path}")

    for path in [
        f"/events/{cafe.slug}/",
        f"/events/{cafe.slug}/register/",
        f"/events/registration/{token}/cancel/",
        "/events/registration/forged-link/",
    ]:
        check(path)
    # Once the café is over: the survey.
    event_hold(cafe)
    services.attendance_set(registration=registration, attended=True)
    for path in [f"/events/registration/{token}/", f"/events/registration/{token}/feedback/"]:
        check(path)


def _organisersigned_in_as(context, site, event):
    network = Network.objects.order_by("pk").first()
    event.organiser_networks.add(network)
    user = User.objects.create_user("organiser", email="org@example.org", password="x" * 12)
    role_grant(user=user, kind="coordinator", target=network)
    TOTP.activate(user, generate_totp_secret())
    signed_in_as(context, site, user)


@pytest.fixture
def held_cafe(cafe):
    services.event_update(
        event=cafe,
        sessions=[
            {
                "title": "The village hall that pays for itself",
                "description": "How Raudanmaa runs its hall.",
                "speakers": "Aino Virtanen, Raudanmaa\nMatti Koski, Tampere",
            }
        ],
        materials=[{"kind": "recording", "title": "Recording", "url": "https://v.example.org/5"}],
    )
    for n, publish in ((1, True), (2, False)):
        register(cafe, n, name=f"Guest {n}", consent_publish=publish, consent_recording=publish)
    event_hold(cafe)
    for registration in cafe.registrations.all():
        services.attendance_set(registration=registration, attended=True)
    return cafe


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_organiser_writes_and_publishes_the_report_showing_only_who_agreed(
    context, page, site, held_cafe
):
    _organisersigned_in_as(context, site, held_cafe)
    page.goto(f"/events/{held_cafe.slug}/manage/")
    page.get_by_role("link", name="Event report: summary, photos, consent, practices").click()
    consent_table = page.get_by_role("table", name="Who did not agree")
    expect(consent_table).to_contain_text("Guest 2")
    expect(consent_table).to_contain_text("Matti Koski, Tampere")
    expect(consent_table).not_to_contain_text("Guest 1")

    page.get_by_label("Summary", exact=True).fill("Twenty people heard how the hall pays.")
    page.get_by_label("Key points", exact=True).fill("Rent the hall\nShare the costs")
    page.get_by_label("Aino Virtanen, Raudanmaa agrees that their name and picture").check()
    page.get_by_label("Publish the recording in the report").check()
    page.get_by_label("Publish the report").check()
    page.get_by_role("button", name="Save the report").click()
    expect(page.get_by_text("The report has been saved.")).to_be_visible()

    page.get_by_role("link", name="See the published report").click()
    main = page.get_by_role("main")
    expect(main).to_contain_text("Twenty people heard how the hall pays.")
    expect(main.get_by_role("link", name="Recording")).to_have_attribute(
        "href", "https://v.example.org/5"
    )
    expect(main).to_contain_text("Aino Virtanen, Raudanmaa")
    expect(main).to_contain_text("Guest 1")
    expect(main).not_to_contain_text("Guest 2")
    expect(main).not_to_contain_text("Matti Koski")


@pytest.mark.parametrize("language_prefix", ["", "/sv"], ids=["en", "sv"])
def test_report_pages_have_no_accessibility_violations(
    context, page, site, held_cafe, language_prefix
):
    _organisersigned_in_as(context, site, held_cafe)
    services.event_report_update(
        event=held_cafe,
        report_summary="What we learnt.",
        report_key_points="One\nTwo",
        practices=[],
        report_published=True,
        recording_published=True,
    )
    services.event_feedback_publish(event=held_cafe, published=True)
    capacity_one = event_make(title="Full café", capacity=1, waitlist_offers=True)
    first, _ = register(capacity_one, 1)
    offered, _ = register(capacity_one, 2)
    services.registration_cancel(registration=first)
    for path in [
        f"/events/{held_cafe.slug}/report/",
        f"/events/{held_cafe.slug}/manage/report/",
        f"/contribute/events/{held_cafe.slug}/practices/new/",
        f"/events/registration/{selectors.registration_token(offered)}/",
    ]:
        page.goto(language_prefix + path)
        assert_accessible(page, f"{language_prefix}{path}")


@pytest.mark.parametrize("language_prefix", ["", "/sv"], ids=["en", "sv"])
def test_manage_and_results_pages_have_no_accessibility_violations(
    context, page, site, cafe, language_prefix
):
    """The organiser's page with the survey's figures and who has not answered, and the
    series' and host's results over time, with enough answers to show every figure."""
    _organisersigned_in_as(context, site, cafe)
    services.event_update(event=cafe, series=Series.objects.order_by("pk").first())
    for n in range(8):
        register(cafe, n, name=f"Guest {n}")
    held_cafe = event_hold(cafe)
    for registration in held_cafe.registrations.all():
        services.attendance_set(registration=registration, attended=True)
    services.event_feedback_request(event=held_cafe)
    for n, registration in enumerate(held_cafe.registrations.order_by("pk")[:6]):
        services.feedback_create(registration=registration, would_attend_again=n % 3 > 0,
                                 recommend=4 + n, satisfaction=1 + n % 5)  # fmt: skip
    services.event_feedback_publish(event=held_cafe, published=True)
    for path in [
        f"/events/{held_cafe.slug}/manage/",
        f"/events/results/?series={held_cafe.series.slug}",
        f"/events/results/?host={held_cafe.host_community.slug}",
        f"/events/{held_cafe.slug}/",
    ]:
        page.goto(language_prefix + path)
        expect(page.get_by_role("main")).to_contain_text("90")
        assert_accessible(page, f"{language_prefix}{path}")
