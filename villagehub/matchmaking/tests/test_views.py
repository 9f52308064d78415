import zoneinfo
from datetime import timedelta

import pytest
import vobject
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from villagehub.accounts.tests.helpers import sign_in
from villagehub.events.selectors import registration_from_token, registration_token
from villagehub.events.tests.test_views import with_two_factor
from villagehub.matchmaking import services
from villagehub.matchmaking.models import Matchmaking, Meeting, MeetingRequest, Slot

from .factories import matchmaking_make, profile_make

pytestmark = pytest.mark.django_db


def _url(profile_or_registration, suffix=""):
    registration = getattr(profile_or_registration, "registration", profile_or_registration)
    return f"/matchmaking/{registration_token(registration)}/{suffix}"


@pytest.fixture
def organiser(client):
    user = User.objects.create_user("coordinator", password="x" * 12, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_event"))
    sign_in(client, with_two_factor(user))
    return user


def test_participant_fills_profile_finds_someone_and_asks_for_a_meeting(client):
    from villagehub.events.tests.factories import register

    matchmaking = matchmaking_make(slots=2)
    bo = profile_make(matchmaking, 2, name="Bo Berg")
    registration, _ = register(matchmaking.event, 1, name="Ana Novak", organisation="Torup")
    page = client.get(_url(registration))
    assert page.status_code == 200
    assert 'value="Torup"' in page.content.decode()
    # Back to the profile, by a link made anew: its signature carries the second it was made.
    location = client.get(_url(registration, "participants/"))["Location"]
    assert location.startswith("/matchmaking/") and location.count("/") == 3
    assert registration_from_token(location.split("/")[2]) == registration

    slot = matchmaking.slots.first()
    response = client.post(
        _url(registration),
        {"organisation": "Torup", "offers": "", "needs": "Broadband", "available_slots": [slot.pk]},
    )
    assert response.status_code == 302
    ana = registration.match_profile
    assert (ana.needs, list(ana.available_slots.all())) == ("Broadband", [slot])

    listing = client.get(_url(ana, "participants/?q=berg")).content.decode()
    assert "Bo Berg" in listing and "Ana Novak" not in listing
    response = client.post(
        _url(ana, f"participants/{bo.pk}/"), {"message": "Fibre?", "priority": "3"}
    )
    assert response.status_code == 302
    request = MeetingRequest.objects.get()
    assert (request.requester, request.recipient, request.priority) == (ana, bo, 3)


def test_bad_input_names_the_field_and_is_not_a_500(client):
    matchmaking = matchmaking_make()
    ana, bo = profile_make(matchmaking, 1), profile_make(matchmaking, 2)
    response = client.post(_url(ana), {"organisation": "", "available_slots": ["999999"]})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"organisation", "available_slots"}
    response = client.post(_url(ana, f"participants/{bo.pk}/"), {"priority": "9"})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["priority"]
    assert client.get("/matchmaking/forged-token/").status_code == 400


def test_a_participant_reaches_only_their_own_records(client):
    matchmaking = matchmaking_make()
    ana, bo, cy = (profile_make(matchmaking, n) for n in (1, 2, 3))
    request = services.meeting_request_create(requester=bo, recipient=cy)
    # Ana cannot accept, cancel, or even see the request between Bo and Cy.
    client.post(_url(ana, f"requests/{request.pk}/"), {"action": "accept"})
    assert (
        client.post(_url(ana, f"requests/{request.pk}/"), {"action": "cancel"}).status_code == 404
    )
    request.refresh_from_db()
    assert request.status == "requested"
    assert "Organisation 2" not in client.get(_url(ana)).content.decode()
    # Cy accepts through her own link.
    client.post(_url(cy, f"requests/{request.pk}/"), {"action": "accept"})
    request.refresh_from_db()
    assert request.status == "accepted"
    services.schedule_run(matchmaking=matchmaking)
    meeting = Meeting.objects.get()
    assert client.post(_url(ana, f"meetings/{meeting.pk}/"), {"text": "x"}).status_code == 404
    client.post(_url(cy, f"meetings/{meeting.pk}/"), {"text": "Pilot agreed"})
    meeting.refresh_from_db()
    assert meeting.recipient_outcome == "Pilot agreed"


def test_a_cancelled_registration_has_no_meeting_pages(client):
    from villagehub.events import services as event_services

    matchmaking = matchmaking_make()
    ana = profile_make(matchmaking, 1)
    event_services.registration_cancel(registration=ana.registration)
    assert client.get(_url(ana)).status_code == 404


def test_agenda_page_and_calendar_carry_every_meeting_and_its_table(client):
    matchmaking = matchmaking_make(slots=2, tables=3)
    ana = profile_make(matchmaking, 1, name="Ana Novak")
    bo = profile_make(matchmaking, 2, name="Bo Berg")
    cy = profile_make(matchmaking, 3, name="Cy Dahl")
    for other in (bo, cy):
        request = services.meeting_request_create(requester=ana, recipient=other)
        services.meeting_request_decide(request=request, by=other, accept=True)
    services.schedule_run(matchmaking=matchmaking)
    meetings = {m.request.recipient_id: m for m in Meeting.objects.select_related("request")}

    page = client.get(_url(ana, "agenda/")).content.decode()
    assert "Bo Berg (Organisation 2)" in page and "Cy Dahl (Organisation 3)" in page

    response = client.get(_url(ana, "agenda.ics"))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = vobject.readOne(response.content.decode())
    entries = sorted(calendar.vevent_list, key=lambda e: e.dtstart.value)
    zone = zoneinfo.ZoneInfo("Europe/Ljubljana")
    organisations = {"Bo Berg": 2, "Cy Dahl": 3}
    expected = sorted(
        (m.slot.starts_at, m.slot.ends_at, m.table, p.registration.name)
        for p, m in ((bo, meetings[bo.pk]), (cy, meetings[cy.pk]))
    )
    assert [
        (e.dtstart.value, e.dtend.value, e.location.value, e.summary.value) for e in entries
    ] == [
        (
            start.astimezone(zone),
            end.astimezone(zone),
            f"Table {table}",
            f"Meeting with {name} (Organisation {organisations[name]})",
        )
        for start, end, table, name in expected
    ]
    assert response.content.count(b"DTSTART;TZID=Europe/Ljubljana:") == 2
    assert {e.uid.value.split("@")[0] for e in entries} == {
        f"meeting-{m.request_id}" for m in meetings.values()
    }


def test_agenda_page_in_swedish(client):
    matchmaking = matchmaking_make(slots=1)
    ana = profile_make(matchmaking, 1)
    page = client.get("/sv" + _url(ana, "agenda/")).content.decode()
    assert "Ditt program" in page


def test_only_organisers_run_the_scheduler(client):
    matchmaking = matchmaking_make()
    ana, bo = profile_make(matchmaking, 1), profile_make(matchmaking, 2)
    request = services.meeting_request_create(requester=ana, recipient=bo)
    services.meeting_request_decide(request=request, by=bo, accept=True)
    manage = f"/matchmaking/manage/{matchmaking.event.slug}/"
    assert client.get(manage)["Location"].startswith("/accounts/login/")
    someone = User.objects.create_user("someone", password="x" * 12)
    sign_in(client, with_two_factor(someone))
    assert client.post(manage, {"action": "schedule"}).status_code == 404
    assert client.get(f"{manage}plan/").status_code == 404
    assert not Meeting.objects.exists()


def test_organiser_sets_up_slots_schedules_and_marks_meetings_held(client, organiser):
    matchmaking = matchmaking_make(slots=0)
    event = matchmaking.event
    manage = f"/matchmaking/manage/{event.slug}/"
    assert client.get(manage).status_code == 200
    client.post(manage, {"action": "settings", "is_open": "on", "tables": "4"})
    matchmaking.refresh_from_db()
    assert matchmaking.tables == 4
    local = timezone.localtime(event.starts_at, event.zone)
    response = client.post(
        manage,
        {"action": "slot", "day": local.date().isoformat(), "starts": "10:00", "ends": "10:30"},
    )
    assert response.status_code == 302
    slot = Slot.objects.get()
    assert timezone.localtime(slot.starts_at, event.zone).strftime("%H:%M") == "10:00"
    assert slot.ends_at - slot.starts_at == timedelta(minutes=30)
    response = client.post(
        manage,
        {"action": "slot", "day": local.date().isoformat(), "starts": "11:00", "ends": "10:30"},
    )
    assert response.status_code == 400
    assert list(response.context["slot_form"].errors) == ["ends"]

    ana, bo = profile_make(matchmaking, 1), profile_make(matchmaking, 2)
    request = services.meeting_request_create(requester=ana, recipient=bo)
    services.meeting_request_decide(request=request, by=bo, accept=True)
    client.post(manage, {"action": "schedule"})
    meeting = Meeting.objects.get()
    assert (meeting.slot, meeting.table) == (slot, 1)
    matchmaking = Matchmaking.objects.get()
    assert (matchmaking.plan_objective, matchmaking.plan_bound) == (2, 2)
    page = client.get(manage).content.decode()
    assert "<strong>0</strong> conflicts" in page

    plan = client.get(f"{manage}plan/").content.decode()
    assert "Person 1 (Organisation 1)" in plan
    client.post(f"{manage}plan/", {"meeting": meeting.pk, "held": "1"})
    meeting.refresh_from_db()
    assert meeting.status == "held"


def test_malformed_ids_from_the_organiser_are_a_404_not_a_500(client, organiser):
    matchmaking = matchmaking_make(slots=1)
    manage = f"/matchmaking/manage/{matchmaking.event.slug}/"
    assert client.post(manage, {"action": "remove_slot", "slot": "abc"}).status_code == 404
    assert client.post(f"{manage}plan/", {"meeting": "1; drop"}).status_code == 404
    assert client.post(manage, {"action": "settings", "tables": "many"}).status_code == 400
    assert Slot.objects.count() == 1


def test_list_pages_read_a_fixed_number_of_queries(client, organiser, django_assert_num_queries):
    matchmaking = matchmaking_make(slots=3, tables=4)
    people = [profile_make(matchmaking, n) for n in range(6)]
    for a, b in zip(people[::2], people[1::2], strict=True):
        request = services.meeting_request_create(requester=a, recipient=b)
        services.meeting_request_decide(request=request, by=b, accept=True)
    services.schedule_run(matchmaking=matchmaking)
    token_url = _url(people[0], "participants/")
    with django_assert_num_queries(6):
        assert client.get(token_url).content.decode().count("Organisation ") == 5
    with django_assert_num_queries(10):
        page = client.get(f"/matchmaking/manage/{matchmaking.event.slug}/plan/")
    assert page.content.decode().count("Mark held") == 3
