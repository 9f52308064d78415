import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
import vobject
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from villagehub.accounts.tests.helpers import sign_in
from villagehub.events import selectors, services
from villagehub.events.models import Event, Feedback, Notice, Registration
from villagehub.events.statistics import Estimate

from .factories import event_hold, event_make, register

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "name": "Ana Novak",
        "email": "ana@example.org",
        "organisation": "Občina Testville",
        "community": "Testville",
        "country": "SI",
        "role": "Mayor",
        "language": "en",
        "privacy_consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_event_list_filters_and_pins_its_queries(client, django_assert_max_num_queries):
    event_make(title="Café in Torup", kind=Event.Kind.CAFE, country="DK", languages=["da"])
    event_make(title="Workshop in Ljubljana", kind=Event.Kind.WORKSHOP, country="SI")
    event_make(
        title="Old conference",
        kind=Event.Kind.CONFERENCE,
        starts_at=timezone.now() - timedelta(days=400),
        ends_at=timezone.now() - timedelta(days=399),
        registration_open=False,
    )
    event_make(title="Draft café", status=Event.Status.DRAFT)
    with django_assert_max_num_queries(10):
        page = client.get("/events/")
    assert page.status_code == 200
    titles = [e.title for e in page.context["page"].object_list]
    assert "Draft café" not in titles and len(titles) == 3

    def listed(query):
        return [e.title for e in client.get(f"/events/?{query}").context["page"].object_list]

    assert listed("kind=workshop") == ["Workshop in Ljubljana"]
    assert listed("country=dk") == ["Café in Torup"]
    assert listed("language=da") == ["Café in Torup"]
    assert listed("when=past") == ["Old conference"]
    assert sorted(listed("when=upcoming")) == ["Café in Torup", "Workshop in Ljubljana"]
    assert listed("q=ljubljana") == ["Workshop in Ljubljana"]
    bad = client.get("/events/?kind=party&series=none")
    assert bad.status_code == 200
    assert len(bad.context["problems"]) == 2


def test_event_detail_shows_time_zone_and_hides_the_online_link(client):
    event = event_make(title="Café", starts_at=timezone.now() + timedelta(days=3))
    page = client.get(event.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert "(Europe/Ljubljana)" in text
    assert "meet.example.org" not in text
    assert client.get("/sv" + event.get_absolute_url()).status_code == 200
    assert client.get("/events/no-such-event/").status_code == 404


def test_register_without_account_gives_confirmation_with_calendar_and_personal_link(
    client, django_capture_on_commit_callbacks
):
    event = event_make(capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/events/{event.slug}/register/", form_data())
    assert response.status_code == 200
    assert "The link to your registration is on its way to ana@example.org." in (
        response.content.decode()
    )
    registration = Registration.objects.get()
    assert registration.status == "confirmed"
    (message,) = mail.outbox
    assert message.to == ["ana@example.org"]
    # The link is signed with the time it was made: compare what it opens, not its text.
    link = next(w for w in message.body.split() if "/events/registration/" in w)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert selectors.registration_from_token(token) == registration
    page = client.get(link.split("hub.example.org", 1)[1])
    assert "Your place is confirmed." in page.content.decode()
    assert "https://meet.example.org/cafe" in page.content.decode()
    (attachment,) = message.attachments
    calendar = vobject.readOne(attachment.content)
    assert calendar.vevent.uid.value == f"event-{event.pk}@hub.example.org"
    assert calendar.vevent.dtstart.value == event.starts_at
    assert calendar.vevent.location.value.endswith("https://meet.example.org/cafe")


def test_register_in_swedish_gets_swedish_mail(client, django_capture_on_commit_callbacks):
    event = event_make(capacity=0)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/sv/events/{event.slug}/register/", form_data(language="sv"))
    assert response.status_code == 200
    assert "Länken till din anmälan är på väg till ana@example.org." in response.content.decode()
    assert mail.outbox[0].subject == "Du står på väntelistan: Smart Café in Testville"
    link = next(w for w in mail.outbox[0].body.split() if "/events/registration/" in w)
    path = link.split("hub.example.org", 1)[1]
    assert path.startswith("/sv/events/registration/")
    assert "Du är nummer 1 på väntelistan." in client.get(path).content.decode()


def test_register_form_errors_name_the_field(client):
    event = event_make()
    response = client.post(
        f"/events/{event.slug}/register/",
        form_data(email="ana(at)example", privacy_consent=None),
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert 'href="#id_email"' in text and "Enter a valid email address." in text
    assert "Please accept the privacy notice to register." in text
    assert not Registration.objects.exists()


def test_register_closed_or_full_gets_an_explanatory_page(client):
    closed = event_make(title="Closed", registration_closes_at=timezone.now())
    response = client.post(f"/events/{closed.slug}/register/", form_data())
    assert response.status_code == 409
    assert "Registration for this event is closed." in response.content.decode()
    full = event_make(title="Full", capacity=1, waiting_list=False)
    register(full, 1)
    response = client.post(f"/events/{full.slug}/register/", form_data())
    assert response.status_code == 409
    assert "This event is full and has no waiting list." in response.content.decode()


def _page_text(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def test_registering_an_address_already_registered_answers_as_for_a_new_one(
    client, django_capture_on_commit_callbacks
):
    event = event_make()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/events/{event.slug}/register/", form_data())
        again = client.post(
            f"/events/{event.slug}/register/", form_data(email="ANA@example.org", name="Eve")
        )
    assert (first.status_code, again.status_code) == (200, 200)
    assert _page_text(again) == _page_text(first)
    assert "already" not in _page_text(again)
    assert Registration.objects.get().name == "Ana Novak"
    # The person registered is told by e-mail only: their link, sent again.
    assert [m.subject for m in mail.outbox] == [
        "You are registered: Smart Café in Testville",
        "Your registration: Smart Café in Testville",
    ]


def test_a_full_event_answers_a_registered_address_as_a_new_one(
    client, django_capture_on_commit_callbacks
):
    event = event_make(capacity=1, waiting_list=False)
    register(event, "ana", email="ana@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(f"/events/{event.slug}/register/", form_data())
        new = client.post(f"/events/{event.slug}/register/", form_data(email="bo@example.org"))
    assert (known.status_code, new.status_code) == (409, 409)
    assert _page_text(known) == _page_text(new)
    assert "This event is full and has no waiting list." in _page_text(known)
    # Only the person registered learns more, by e-mail: their link, sent again.
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["ana@example.org"], "Your registration: Smart Café in Testville")
    ]


def test_personal_link_changes_and_cancels_and_promotes(client, django_capture_on_commit_callbacks):
    event = event_make(capacity=1)
    mine, _ = register(event, 1)
    waiting, _ = register(event, 2)
    url = reverse("events:registration", kwargs={"token": selectors.registration_token(mine)})
    response = client.post(url, form_data(name="Ana N.", language="fr"))
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.name, mine.language, mine.email) == ("Ana N.", "fr", "person1@example.org")
    # The registration page offers cancelling as a danger link to a page that asks first.
    assert f'class="button danger" href="{url}cancel/"' in client.get(url).content.decode()
    asked = client.get(url + "cancel/")
    assert asked.status_code == 200
    assert "Cancel your registration?" in asked.content.decode()
    assert '<button type="submit" class="danger">Yes, cancel my registration</button>' in (
        asked.content.decode()
    )
    assert client.post(url + "cancel/").status_code == 200  # unconfirmed: asks again
    assert Registration.objects.get(pk=mine.pk).status == "confirmed"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url + "cancel/", {"confirm": "yes"})
    assert Registration.objects.get(pk=mine.pk).status == "cancelled"
    assert Registration.objects.get(pk=waiting.pk).status == "confirmed"
    assert {m.to[0] for m in mail.outbox} == {"person1@example.org", "person2@example.org"}


def test_forged_and_expired_links_get_an_explanatory_page(client, monkeypatch):
    event = event_make()
    registration, _ = register(event, 1)
    token = selectors.registration_token(registration)
    forged = client.get(f"/events/registration/{token[:-2]}xx/")
    assert forged.status_code == 400
    assert "not valid" in forged.content.decode()
    monkeypatch.setattr(selectors, "REGISTRATION_LINK_MAX_AGE", timedelta(seconds=-1))
    expired = client.get(f"/events/registration/{token}/")
    assert expired.status_code == 400
    assert "expired" in expired.content.decode()
    assert (
        client.post(f"/events/registration/{token}/cancel/", {"confirm": "yes"}).status_code == 400
    )
    assert Registration.objects.get().status == "confirmed"


def test_an_old_link_never_opens_the_next_registration_of_the_same_address(client):
    event = event_make()
    first, _ = register(event, 1, name="Ana Novak", organisation="Občina Testville")
    old = reverse("events:registration", kwargs={"token": selectors.registration_token(first)})
    services.registration_cancel(registration=first)
    second, created = register(event, 1, name="Bo Berg", organisation="Berg AB")
    assert created and second.pk != first.pk

    page = client.get(old)
    assert page.status_code == 400
    text = page.content.decode()
    assert "The same e-mail address has been registered for the event again since" in text
    assert "Bo Berg" not in text and "Berg AB" not in text
    assert client.post(old + "cancel/", {"confirm": "yes"}).status_code == 400
    assert client.get(old + "event.ics").status_code == 400
    assert Registration.objects.get(pk=second.pk).status == "confirmed"
    new = reverse("events:registration", kwargs={"token": selectors.registration_token(second)})
    assert "Bo Berg" in client.get(new).content.decode()


def test_a_link_made_before_its_row_was_reused_explains_itself(client):
    # Before migration events.0002 a cancelled row was reused for the next registration
    # with the same address; its life began when its privacy notice was accepted again.
    registration, _ = register(event_make(), 1)
    token = selectors.registration_token(registration)
    assert client.get(f"/events/registration/{token}/").status_code == 200
    Registration.objects.filter(pk=registration.pk).update(
        name="Bo Berg", privacy_consent_at=timezone.now() + timedelta(minutes=2)
    )
    page = client.get(f"/events/registration/{token}/")
    assert page.status_code == 400
    assert "Bo Berg" not in page.content.decode()
    assert "registered for the event again since" in page.content.decode()


def test_survey_through_the_personal_link(client):
    event = event_make()
    registration, _ = register(event, 1)
    url = reverse("events:feedback", kwargs={"token": selectors.registration_token(registration)})
    answer = {"would_attend_again": "yes", "recommend": "9", "satisfaction": "4"}
    # Before the event has ended the survey is closed, even to someone checked in.
    services.attendance_set(registration=registration, attended=True, now=event.starts_at)
    assert "The survey opens when the event has ended." in client.get(url).content.decode()
    assert "The survey opens when the event has ended." in client.post(url, answer).content.decode()
    assert not Feedback.objects.exists()
    services.attendance_set(registration=registration, attended=False)
    event_hold(event)
    assert "for people who attended" in client.get(url).content.decode()
    services.attendance_set(registration=registration, attended=True)
    bad = client.post(url, {"would_attend_again": "yes", "recommend": "11", "satisfaction": "5"})
    assert bad.status_code == 400
    answer = {
        "would_attend_again": "yes",
        "recommend": "9",
        "satisfaction": "4",
        "most_useful": "Meeting Torup",
        "next_topics": "Broadband",
    }
    assert "Thank you" in client.post(url, answer).content.decode()
    assert "already answered" in client.post(url, answer).content.decode()
    feedback = Feedback.objects.get()
    assert (feedback.would_attend_again, feedback.recommend, feedback.satisfaction) == (True, 9, 4)


def test_published_feedback_shows_totals_on_the_event_page(client):
    event = event_make(capacity=10)
    registrations = [register(event, n)[0] for n in range(5)]
    with pytest.raises(services.FeedbackRefused) as refused:
        services.event_feedback_publish(event=event, published=True)
    assert refused.value.code == "not_ended"
    event_hold(event)
    for n, registration in enumerate(registrations):
        services.attendance_set(registration=registration, attended=True)
        if n == 4:
            services.event_feedback_publish(event=event, published=True)
            # Four answers: too few to publish anything, even when the organiser asked to.
            assert (
                "What participants said"
                not in client.get(event.get_absolute_url()).content.decode()
            )
        services.feedback_create(
            registration=registration,
            would_attend_again=n != 0,
            recommend=10,
            satisfaction=5,
            most_useful="A secret remark",
        )
    text = client.get(event.get_absolute_url()).content.decode()
    assert "What participants said" in text
    assert "80.0 % of the 5 participants who answered would attend again." in text
    assert "(90 % interval 43.5 to 95.4; n = 5)" in text
    assert "A secret remark" not in text
    swedish = client.get("/sv" + event.get_absolute_url()).content.decode()
    assert "80,0 % av de 5 deltagare som svarade skulle delta igen." in swedish
    assert "(90 % intervall 43,5 till 95,4; n = 5)" in swedish
    assert "Wilsons intervall" in swedish
    # Moved to a later date: published results never show on an event still to come.
    later = timezone.now() + timedelta(days=30)
    Event.objects.filter(pk=event.pk).update(starts_at=later, ends_at=later + timedelta(hours=2))
    assert "What participants said" not in client.get(event.get_absolute_url()).content.decode()


def parse_calendar(response):
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return vobject.readOne(response.content.decode())


def test_event_ics_keeps_uid_raises_sequence_and_marks_cancellation(client):
    event = event_make()
    first = parse_calendar(client.get(f"/events/{event.slug}.ics"))
    assert first.vevent.sequence.value == "0"
    assert first.vevent.dtstart.params["X-VOBJ-ORIGINAL-TZID"] == ["Europe/Ljubljana"]
    assert first.vevent.dtstart.value == event.starts_at
    assert first.vtimezone.tzid.value == "Europe/Ljubljana"
    services.event_update(event=event, starts_at=event.starts_at + timedelta(hours=2))
    services.event_update(event=event, status=Event.Status.CANCELLED)
    second = parse_calendar(client.get(f"/events/{event.slug}.ics"))
    assert second.vevent.uid.value == first.vevent.uid.value
    assert second.vevent.sequence.value == "2"
    assert second.vevent.status.value == "CANCELLED"
    assert "meet.example.org" not in client.get(f"/events/{event.slug}.ics").content.decode()


def test_day_precision_event_is_an_all_day_calendar_entry(client):
    start = timezone.now() + timedelta(days=5)
    event = event_make(date_precision=Event.DatePrecision.DAY, registration_open=False,
                       starts_at=start, ends_at=start + timedelta(days=1))  # fmt: skip
    entry = parse_calendar(client.get(f"/events/{event.slug}.ics")).vevent
    local = timezone.localtime(start, event.zone).date()
    assert entry.dtstart.value == local
    assert entry.dtend.value == local + timedelta(days=2)


def test_year_only_event_has_no_calendar_entry(client):
    event = event_make(date_precision=Event.DatePrecision.YEAR, registration_open=False)
    assert client.get(f"/events/{event.slug}.ics").status_code == 404


def test_subscribable_calendars_per_network_and_theme(client):
    from villagehub.communities.tests.factories import NetworkFactory
    from villagehub.taxonomy.models import Theme

    network = NetworkFactory()
    theme = Theme.objects.get(slug="school-canteens")
    event_make(title="Network café", organiser_networks=[network])
    event_make(title="Canteen café", themes=[theme])
    event_make(title="Past", starts_at=timezone.now() - timedelta(days=30),
               ends_at=timezone.now() - timedelta(days=30), registration_open=False)  # fmt: skip

    def summaries(query=""):
        calendar = parse_calendar(client.get(f"/events/calendar.ics{query}"))
        return sorted(e.summary.value for e in calendar.vevent_list)

    assert summaries() == ["Canteen café", "Network café"]
    assert summaries(f"?network={network.slug}") == ["Network café"]
    assert summaries("?theme=school-canteens") == ["Canteen café"]
    assert client.get("/events/calendar.ics?network=nope").status_code == 404


def test_atom_feed_lists_public_events(client):
    event_make(title="Café one")
    event_make(title="Hidden", status=Event.Status.DRAFT)
    response = client.get("/events/feed.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 (our own feed)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)] == [
        "Café one"
    ]


def with_two_factor(user):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def organiser(client):
    user = User.objects.create_user("coordinator", password="x" * 12, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_event"))
    sign_in(client, with_two_factor(user))
    return user


def test_manage_pages_need_sign_in_two_factor_and_an_organising_role(client):
    from villagehub.accounts.services import role_grant
    from villagehub.communities.tests.factories import NetworkFactory

    ours, theirs = NetworkFactory(), NetworkFactory()
    event = event_make(organiser_networks=[ours])
    registration, _ = register(event, 1)
    event_hold(event)
    manage = f"/events/{event.slug}/manage/"
    assert client.get(manage)["Location"].startswith("/accounts/login/?next=")

    someone = User.objects.create_user("someone", email="s@example.org", password="x" * 12)
    client.force_login(someone)
    assert client.get(manage)["Location"].startswith("/accounts/2fa/totp/activate")
    with_two_factor(someone)
    # This session was opened with the password alone: the code is asked for first.
    assert client.get(manage)["Location"].startswith("/accounts/2fa/reauthenticate/?next=")
    sign_in(client, someone)
    assert client.get(manage).status_code == 404  # a participant organises nothing
    role_grant(user=someone, kind="coordinator", target=theirs)
    assert client.get(manage).status_code == 404  # another network's event stays hidden
    assert client.get(f"/events/export/registrations.csv?event={event.slug}").status_code == 404
    client.post(
        f"/events/{event.slug}/manage/registration/{registration.pk}/", {"action": "attended"}
    )
    assert not Registration.objects.get().attended

    role_grant(user=someone, kind="coordinator", target=ours)
    assert client.get(manage).status_code == 200
    client.post(
        f"/events/{event.slug}/manage/registration/{registration.pk}/", {"action": "attended"}
    )
    assert Registration.objects.get().attended


def test_organiser_checks_in_finds_exports_and_sends_the_survey(client, organiser):
    event = event_make(capacity=5)
    ana, _ = register(event, 1, name="Ana Novak", organisation="=HYPERLINK(evil)")
    register(event, 2, name="Bo Berg")
    # Ten days ahead: check-in and the survey are not open yet.
    page = client.get(f"/events/{event.slug}/manage/")
    assert "Check in Ana Novak" not in page.content.decode()
    assert 'value="survey"' not in page.content.decode()
    refused = client.post(
        f"/events/{event.slug}/manage/registration/{ana.pk}/", {"action": "attended"}, follow=True
    )
    assert "Check-in for this event has not opened yet." in refused.content.decode()
    assert not Registration.objects.get(pk=ana.pk).attended
    refused = client.post(f"/events/{event.slug}/manage/event/", {"action": "survey"}, follow=True)
    assert "The survey opens when the event has ended." in refused.content.decode()
    event_hold(event)
    page = client.get(f"/events/{event.slug}/manage/?q=novak")
    assert [r.name for r in page.context["page"].object_list] == ["Ana Novak"]
    assert "Check in Ana Novak" in page.content.decode()
    response = client.post(
        f"/events/{event.slug}/manage/registration/{ana.pk}/",
        {"action": "attended", "next": f"/events/{event.slug}/manage/?q=novak"},
    )
    assert response["Location"] == f"/events/{event.slug}/manage/?q=novak"
    assert Registration.objects.get(pk=ana.pk).attended
    csv_response = client.get(f"/events/export/attendance.csv?event={event.slug}")
    rows = list(csv.reader(io.StringIO(b"".join(csv_response.streaming_content).decode())))
    assert [r[1] for r in rows[1:]] == ["Ana Novak"]
    assert rows[1][3] == "'=HYPERLINK(evil)"
    xlsx = client.get(f"/events/export/registrations.xlsx?event={event.slug}")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [row[1] for row in sheet.iter_rows(values_only=True)][1:] == ["Ana Novak", "Bo Berg"]
    client.post(f"/events/{event.slug}/manage/event/", {"action": "survey"})
    assert [m.to for m in mail.outbox] == []  # queued after the commit, see the next test
    assert client.get("/events/export/feedback.csv").status_code == 404


def test_survey_button_sends_to_attendees(client, organiser, django_capture_on_commit_callbacks):
    event = event_make()
    registration, _ = register(event, 1)
    event_hold(event)
    services.attendance_set(registration=registration, attended=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/events/{event.slug}/manage/event/", {"action": "survey"})
    assert [m.to for m in mail.outbox] == [["person1@example.org"]]


def test_organiser_sees_who_has_not_answered_and_reminds_them_once(
    client, django_capture_on_commit_callbacks
):
    from villagehub.accounts.services import role_grant
    from villagehub.communities.tests.factories import NetworkFactory

    ours, theirs = NetworkFactory(), NetworkFactory()
    event = event_make(organiser_networks=[ours], capacity=10)
    ana, _ = register(event, 1, name="Ana Novak")
    bo, _ = register(event, 2, name="Bo Berg")
    register(event, 3, name="Cy Absent")
    event_hold(event)
    for registration in (ana, bo):
        services.attendance_set(registration=registration, attended=True)
    outsider = with_two_factor(User.objects.create_user("outsider", password="x" * 12))
    role_grant(user=outsider, kind="coordinator", target=theirs)
    sign_in(client, outsider)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/events/{event.slug}/manage/event/", {"action": "remind"})
    assert response.status_code == 404  # another network's event: nobody is reminded
    coordinator = with_two_factor(User.objects.create_user("coordinator", password="x" * 12))
    role_grant(user=coordinator, kind="coordinator", target=ours)
    sign_in(client, coordinator)
    manage = f"/events/{event.slug}/manage/"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{manage}event/", {"action": "survey"})
    services.feedback_create(registration=ana, would_attend_again=True, recommend=8, satisfaction=4)
    page = client.get(manage)
    assert [r.name for r in page.context["unanswered"]] == ["Bo Berg"]
    assert "Bo Berg (person2@example.org) — asked, not reminded yet" in page.content.decode()
    assert page.context["remind_due"] == 1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{manage}event/", {"action": "remind"}, follow=True)
    assert "A reminder is being sent to 1 person who has not answered." in (
        response.content.decode()
    )
    assert [m.to for m in mail.outbox] == [["person2@example.org"]]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{manage}event/", {"action": "remind"}, follow=True)
    assert "has already been reminded" in response.content.decode()
    assert len(mail.outbox) == 1
    assert Notice.objects.filter(kind=Notice.Kind.SURVEY_REMINDER).count() == 1
    text = client.get(manage).content.decode()
    assert "Bo Berg (person2@example.org) — reminded" in text
    assert 'value="remind"' not in text  # nobody left to remind: no button


def test_results_page_charts_a_series_over_time(client, organiser, django_assert_num_queries):
    from villagehub.events.services import series_create

    series = series_create(name="Cafés")
    for n, recommend in enumerate([10, 5]):
        event = event_make(title=f"Café {n}", series=series, number=n + 1, capacity=10,
                           starts_at=timezone.now() + timedelta(days=n + 1),
                           ends_at=timezone.now() + timedelta(days=n + 1, hours=2))  # fmt: skip
        after = event.ends_at + timedelta(hours=1)
        for person in range(5):
            registration, _ = register(event, f"{n}-{person}")
            services.attendance_set(registration=registration, attended=True, now=after)
            services.feedback_create(registration=registration, would_attend_again=True,
                                     recommend=recommend, satisfaction=4, now=after)  # fmt: skip
    lonely = event_make(title="Café 3", series=series, number=3)
    registration, _ = register(lonely, "lonely")
    event_hold(lonely)
    services.attendance_set(registration=registration, attended=True)
    services.feedback_create(registration=registration, would_attend_again=False,
                             recommend=0, satisfaction=1)  # fmt: skip
    with django_assert_num_queries(14):  # the same for 3 events or 300
        page = client.get(f"/events/results/?series={series.slug}")
    assert page.status_code == 200
    assert [(e.title, s.responses, s.nps and s.nps.value) for e, s in page.context["rows"]] == [
        ("Café 3", 1, None),  # held three hours ago, one answer: withheld
        ("Café 0", 5, 100.0),
        ("Café 1", 5, -100.0),
    ]
    # 5 promoters and 6 detractors of 11: NPS −9.1 ± 1.6449·√((5/11 + 6/11 − (1/11)²)/11).
    assert page.context["summary"].nps == Estimate(value=-9.1, low=-58.5, high=40.3, n=11)
    text = page.content.decode()
    assert '-9.1 <span class="small">(90 % interval -58.5 to 40.3; n = 11)</span>' in text
    assert "Wilson score interval" in text
    chart = client.get(f"/events/results/chart.svg?series={series.slug}")
    assert chart["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert b"<svg" in chart.content and b"Net Promoter Score" in chart.content
    assert client.get("/events/results/chart.svg?series=nope").status_code == 404
    xlsx = client.get(f"/events/export/feedback.xlsx?series={series.slug}")
    assert xlsx.status_code == 200


def test_outbox_backend_keeps_mail_readable_in_development(client, settings):
    from villagehub.core.mail import email_send
    from villagehub.core.models import OutboxMessage

    settings.EMAIL_BACKEND = "villagehub.core.mail.OutboxBackend"
    settings.DEBUG = True
    event = event_make()
    registration, _ = register(event, 1)
    email_send(
        to="ana@example.org",
        template="events/registration_link",
        context={
            "registration": registration,
            "event": event,
            "title": event.title,
            "manage_url": "https://hub.example.org/x/",
        },
        language="en",
    )
    message = OutboxMessage.objects.get()
    assert message.subject == "Your registration: Smart Café in Testville"
    assert client.get("/outbox/").status_code == 200
    assert "https://hub.example.org/x/" in client.get(f"/outbox/{message.pk}/").content.decode()
    settings.DEBUG = False
    assert client.get("/outbox/").status_code == 404


def test_too_many_registrations_from_one_address_are_refused_clearly(client, settings):

    event = event_make(capacity=50)
    limit = settings.REGISTRATION_RATE_LIMIT
    for n in range(limit):
        client.post(f"/events/{event.slug}/register/", form_data(email=f"p{n}@example.org"))
    refused = client.post(f"/events/{event.slug}/register/", form_data(email="late@example.org"))
    assert refused.status_code == 429
    assert "too often" in refused.content.decode()
    assert Registration.objects.count() == limit
    assert client.get(f"/events/{event.slug}/register/").status_code == 200  # reading is free


def test_check_in_opens_on_the_day_of_the_event_in_its_time_zone_or_as_set():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("America/New_York")
    start = datetime(2030, 3, 15, 9, 30, tzinfo=zone)
    event = event_make(time_zone="America/New_York", starts_at=start,
                       ends_at=start + timedelta(hours=3))  # fmt: skip
    registration, _ = register(event, 1)
    assert event.check_in_opens_at() == datetime(2030, 3, 15, 0, 0, tzinfo=zone)
    with pytest.raises(services.CheckInRefused) as refused:
        services.attendance_set(
            registration=registration,
            attended=True,
            now=datetime(2030, 3, 14, 23, 59, tzinfo=zone),
        )
    assert refused.value.code == "not_open"
    assert str(refused.value) == "Check-in for this event has not opened yet."
    assert not Registration.objects.get().attended
    services.attendance_set(
        registration=registration, attended=True, now=datetime(2030, 3, 15, 0, 0, tzinfo=zone)
    )
    assert Registration.objects.get().attended
    services.event_update(event=event, check_in_minutes_before=45)
    assert event.check_in_opens_at() == datetime(2030, 3, 15, 8, 45, tzinfo=zone)
    assert not event.check_in_open(datetime(2030, 3, 15, 8, 44, tzinfo=zone))
    assert event.check_in_open(datetime(2030, 3, 15, 8, 45, tzinfo=zone))


def test_survey_opens_only_after_the_event_has_ended(django_capture_on_commit_callbacks):
    event = event_make()
    registration, _ = register(event, 1)
    services.attendance_set(registration=registration, attended=True, now=event.starts_at)
    for at in (event.starts_at, event.ends_at - timedelta(minutes=1)):
        with pytest.raises(services.FeedbackRefused) as refused:
            services.feedback_create(
                registration=registration, would_attend_again=True, recommend=9,
                satisfaction=5, now=at,
            )  # fmt: skip
        assert refused.value.code == "not_ended"
        with pytest.raises(services.FeedbackRefused):
            services.event_feedback_request(event=event, now=at)
    assert not Feedback.objects.exists()
    services.feedback_create(
        registration=registration, would_attend_again=True, recommend=9, satisfaction=5,
        now=event.ends_at + timedelta(seconds=1),
    )  # fmt: skip
    assert Feedback.objects.count() == 1


def test_organiser_cancels_only_after_confirming(client, organiser):
    event = event_make(capacity=1)
    ana, _ = register(event, 1, name="Ana Novak")
    bo, _ = register(event, 2, name="Bo Berg")
    manage = f"/events/{event.slug}/manage/"
    page = client.get(manage).content.decode()
    assert (
        '<button name="action" value="cancel" class="danger">'
        "Cancel the registration of Ana Novak</button>"
    ) in page
    assert "Avboka anmälan för Ana Novak" in client.get("/sv" + manage).content.decode()
    url = f"/events/{event.slug}/manage/registration/{ana.pk}/"
    asked = client.post(url, {"action": "cancel", "next": manage + "?q=ana"})
    assert asked.status_code == 200
    text = asked.content.decode()
    assert "Cancel the registration of Ana Novak?" in text
    assert '<input type="hidden" name="confirm" value="yes">' in text
    assert f'<input type="hidden" name="next" value="/events/{event.slug}/manage/?q=ana">' in text
    assert Registration.objects.get(pk=ana.pk).status == "confirmed"
    done = client.post(url, {"action": "cancel", "confirm": "yes", "next": manage + "?q=ana"})
    assert done["Location"] == manage + "?q=ana"
    assert Registration.objects.get(pk=ana.pk).status == "cancelled"
    assert Registration.objects.get(pk=bo.pk).status == "confirmed"


def test_a_full_event_with_a_waiting_list_offers_to_join_it(client):
    event = event_make(capacity=1)
    register(event, 1)
    detail = client.get(event.get_absolute_url()).content.decode()
    assert ">Join the waiting list</a>" in detail
    assert ">Register</a>" not in detail
    form = client.get(f"/events/{event.slug}/register/").content.decode()
    assert "<h1>Join the waiting list</h1>" in form
    assert '<button type="submit">Join the waiting list</button>' in form
    roomy = event_make(title="Roomy", capacity=5)
    assert ">Register</a>" in client.get(roomy.get_absolute_url()).content.decode()
    closed = event_make(title="Closed list", capacity=0, waiting_list=False)
    assert "Join the waiting list" not in client.get(closed.get_absolute_url()).content.decode()
    swedish = client.get(f"/sv/events/{event.slug}/register/").content.decode()
    assert "<h1>Ställ dig på väntelistan</h1>" in swedish


def test_answers_to_the_events_questions_show_on_the_manage_page_and_in_exports(client, organiser):
    event = event_make(
        capacity=5,
        questions=[
            {"label": "Dietary needs", "kind": "text"},
            {"label": "Bring a poster?", "kind": "yes_no"},
        ],
    )
    diet, poster = event.questions.order_by("position")
    register(event, 1, name="Ana Novak", answers={str(diet.pk): "Vegan", str(poster.pk): "yes"})
    register(event, 2, name="Bo Berg", answers={str(poster.pk): "no"})
    page = client.get(f"/events/{event.slug}/manage/").content.decode()
    assert '<th scope="col">Dietary needs</th><th scope="col">Bring a poster?</th>' in page
    assert "<td>Vegan</td><td>yes</td>" in page
    assert "<td></td><td>no</td>" in page

    response = client.get(f"/events/export/registrations.csv?event={event.slug}")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][-6:] == [
        "may be contacted", "may be recorded", "name and picture may be published",
        "plain-text reminders", "Dietary needs", "Bring a poster?",
    ]  # fmt: skip
    assert [(r[1], r[-2], r[-1]) for r in rows[1:]] == [
        ("Ana Novak", "Vegan", "yes"),
        ("Bo Berg", "", "no"),
    ]
    xlsx = client.get(f"/events/export/registrations.xlsx?event={event.slug}")
    sheet = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert sheet[0][-2:] == ("Dietary needs", "Bring a poster?")
    assert [(r[1], r[-2], r[-1]) for r in sheet[1:]] == [
        ("Ana Novak", "Vegan", "yes"),
        ("Bo Berg", None, "no"),
    ]
    event_hold(event)
    services.attendance_set(registration=Registration.objects.get(name="Bo Berg"), attended=True)
    attendance = client.get(f"/events/export/attendance.csv?event={event.slug}")
    rows = list(csv.reader(io.StringIO(b"".join(attendance.streaming_content).decode())))
    assert [(r[1], r[-2], r[-1]) for r in rows[1:]] == [("Bo Berg", "", "no")]


def test_a_series_export_puts_the_same_question_of_each_event_in_one_column(client, organiser):
    from villagehub.events.services import series_create

    series = series_create(name="Cafés")
    for n in (1, 2):
        start = timezone.now() + timedelta(days=n)
        questions = [{"label": f"Only in café {n}"}, {"label": "Diet"}]
        event = event_make(title=f"Café {n}", series=series, number=n, starts_at=start,
                           ends_at=start + timedelta(hours=1), questions=questions)  # fmt: skip
        only, diet = event.questions.order_by("position")
        register(event, n, answers={str(only.pk): f"answer {n}", str(diet.pk): f"diet {n}"})
    response = client.get(f"/events/export/registrations.csv?series={series.slug}")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][-3:] == ["Only in café 1", "Diet", "Only in café 2"]
    assert [r[-3:] for r in rows[1:]] == [
        ["answer 1", "diet 1", ""],
        ["", "diet 2", "answer 2"],
    ]
