"""Coordinators and the organisers they name run their programme on the public site."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from villagehub.accounts.services import account_language_set, role_grant
from villagehub.accounts.tests.helpers import sign_in
from villagehub.communities.tests.factories import CommunityFactory, NetworkFactory
from villagehub.events import selectors, services
from villagehub.events.models import Event, HostRequest, Speaker
from villagehub.notices.models import Notice as CoordinatorNotice

from .factories import event_make, register
from .test_views import with_two_factor

pytestmark = pytest.mark.django_db


def _person(name, **roles):
    user = with_two_factor(
        User.objects.create_user(name, email=f"{name}@example.org", password="x" * 12)
    )
    for kind, target in roles.items():
        role_grant(user=user, kind=kind, target=target)
    return user


@pytest.fixture
def network():
    return NetworkFactory(name="Smart Villages Network")


@pytest.fixture
def coordinator(client, network):
    user = _person("coordinator", coordinator=network)
    sign_in(client, user)
    return user


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, "PNG")
    return buffer.getvalue()


def editor_data(network, **overrides) -> dict:
    """What the event page posts: the event, one session with one speaker, nothing else."""
    data = {
        "title": "Smart Café #7: energy communities",
        "kind": "cafe",
        "status": "published",
        "language": "en",
        "summary": "How villages share their sun.",
        "objectives": "Learn\nShare",
        "organiser_networks": [str(network.pk)],
        "organisers": "",
        "languages": ["en", "sl"],
        "time_zone": "Europe/Ljubljana",
        "date_precision": "minute",
        "starts_at": "2030-03-05T17:00",
        "ends_at": "2030-03-05T18:30",
        "online_url": "https://meet.example.org/cafe7",
        "capacity": "40",
        "registration_open": "on",
        "waiting_list": "on",
        "sessions-TOTAL_FORMS": "2",
        "sessions-INITIAL_FORMS": "0",
        "sessions-0-title": "Welcome",
        "sessions-0-starts_at": "2030-03-05T17:00",
        "sessions-0-people-TOTAL_FORMS": "2",
        "sessions-0-people-INITIAL_FORMS": "0",
        "sessions-0-people-0-name": "Ana Novak",
        "sessions-0-people-0-role": "Mayor",
        "sessions-0-people-0-organisation": "Občina Testville",
        "sessions-0-people-0-publish_consent": "on",
        "sessions-1-people-TOTAL_FORMS": "1",
        "sessions-1-people-INITIAL_FORMS": "0",
    }
    for name in ("questions", "sponsors", "materials"):
        data[f"{name}-TOTAL_FORMS"] = "1"
        data[f"{name}-INITIAL_FORMS"] = "0"
    # What the browser sends for the empty rows' lists: their preselected value.
    data["questions-0-kind"] = "text"
    data["sponsors-0-tier"] = "partner"
    data.update(overrides)
    return data


# Services ---------------------------------------------------------------------------------


def test_sessions_keep_their_rows_and_speakers_when_the_back_office_omits_them():
    event = event_make(sessions=[{"title": "Welcome", "people": [{"name": "Ana Novak"}]}])
    session = event.sessions.get()
    # The back office and imports give sessions without their speakers.
    services.event_update(event=event, sessions=[{"title": "Welcome", "description": "Hi"}])
    assert event.sessions.get().pk == session.pk
    assert [p.name for p in event.sessions.get().people.all()] == ["Ana Novak"]
    services.event_update(event=event, sessions=[{"id": session.pk, "title": "Opening"}])
    assert event.sessions.get().title == "Opening"
    assert event.sessions.get().people.count() == 1
    services.event_update(event=event, sessions=[])
    assert not Speaker.objects.exists()


def test_a_speaker_photo_needs_a_description():
    photo = SimpleUploadedFile("ana.png", _png(), content_type="image/png")
    with pytest.raises(Exception) as error:
        event_make(sessions=[{"title": "Welcome", "people": [{"name": "Ana", "photo": photo}]}])
    assert "Row 1, speaker 1" in str(error.value)


def test_the_next_number_follows_the_highest_even_beside_events_without_one():
    series = services.series_create(name="Smart Café")
    event_make(series=series, number=3)
    # PostgreSQL sorts an event without a number first when descending: it must not count.
    event_make(series=series, title="Café without a number", number=None)
    assert services.series_next_number(series) == 4


def test_duplicate_is_a_draft_numbered_next_with_agenda_questions_and_sponsors():
    series = services.series_create(name="Smart Café")
    event = event_make(
        series=series,
        number=6,
        sessions=[{"title": "Talk", "people": [{"name": "Ana", "publish_consent": True}]}],
        questions=[{"label": "Diet?", "kind": "text"}],
        sponsors=[{"name": "Sun Co", "tier": "main"}],
        materials=[{"kind": "slides", "title": "Slides", "url": "https://example.org/s"}],
    )
    register(event, 1)
    copy = services.event_duplicate(event=event)
    assert copy.pk != event.pk and copy.slug != event.slug
    assert (copy.status, copy.number, copy.series) == ("draft", 7, series)
    assert [p.name for s in copy.sessions.all() for p in s.people.all()] == ["Ana"]
    assert [q.label for q in copy.questions.all()] == ["Diet?"]
    assert [s.name for s in copy.sponsors.all()] == ["Sun Co"]
    assert not copy.materials.exists() and not copy.registrations.exists()


@pytest.mark.parametrize(
    ("change", "subject"),
    [
        ({"status": Event.Status.POSTPONED}, "Postponed: Smart Café in Testville"),
        ({"status": Event.Status.CANCELLED}, "Cancelled: Smart Café in Testville"),
        ({"venue_name": "Village hall", "city": "Testville"}, "Changed: Smart Café in Testville"),
    ],
)
def test_changes_of_status_time_or_place_tell_the_registered_people(
    change, subject, django_capture_on_commit_callbacks
):
    event = event_make(capacity=1)
    register(event, 1)
    register(event, 2)  # waiting: told as well
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(event=event, **change)
    assert sorted(m.to[0] for m in mail.outbox) == ["person1@example.org", "person2@example.org"]
    assert {m.subject for m in mail.outbox} == {subject}
    if "venue_name" in change:
        assert "Village hall" in mail.outbox[0].body
        assert mail.outbox[0].attachments[0][0].endswith(".ics")


def test_a_new_start_time_is_told_but_a_new_summary_is_not(django_capture_on_commit_callbacks):
    event = event_make()
    register(event, 1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(event=event, summary="Only words.")
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(event=event, starts_at=event.starts_at + timedelta(hours=1))
    assert [m.subject for m in mail.outbox] == ["Changed: Smart Café in Testville"]


# Permissions ------------------------------------------------------------------------------


def test_a_coordinator_manages_only_its_networks_events_and_organisers_only_theirs(client, network):
    other = NetworkFactory()
    ours = event_make(organiser_networks=[network])
    theirs = event_make(title="Their café", organiser_networks=[other])
    sign_in(client, _person("coordinator", coordinator=network))
    assert client.get(f"/events/{ours.slug}/edit/").status_code == 200
    assert client.get(f"/events/{theirs.slug}/edit/").status_code == 404
    assert client.post(f"/events/{theirs.slug}/edit/status/", {"action": "cancel",
                       "confirm": "yes"}).status_code == 404  # fmt: skip
    assert Event.objects.get(pk=theirs.pk).status == "published"

    organiser = _person("organiser")
    services.event_update(event=ours, organisers=[organiser])
    event_b = event_make(title="Event B", organiser_networks=[network])
    sign_in(client, organiser)
    assert client.get(f"/events/{ours.slug}/edit/").status_code == 200
    assert client.get(f"/events/{event_b.slug}/edit/").status_code == 404
    assert client.get(f"/events/{event_b.slug}/manage/").status_code == 404
    # An organiser runs the event but does not name other organisers.
    page = client.get(f"/events/{ours.slug}/edit/").content.decode()
    assert 'name="organisers"' not in page
    # Nor create events for the network.
    assert client.get("/events/new/").status_code == 404


def test_series_organisers_manage_the_series_events_and_add_to_it(client, network):
    series = services.series_create(name="Smart Café")
    in_series = event_make(series=series)
    elsewhere = event_make(title="Elsewhere", organiser_networks=[network])
    organiser = _person("organiser")
    services.series_update(series=series, organisers=[organiser])
    assert set(selectors.events_managed_by(organiser)) == {in_series}
    sign_in(client, organiser)
    assert client.get("/events/new/").status_code == 200
    assert client.get(f"/events/{elsewhere.slug}/edit/").status_code == 404
    assert client.get(f"/events/series/{series.slug}/edit/").status_code == 404


def test_pages_ask_for_sign_in_and_two_factor(client, network):
    assert client.get("/events/new/")["Location"].startswith("/accounts/login/")
    user = User.objects.create_user("plain", password="x" * 12)
    role_grant(user=user, kind="coordinator", target=network)
    client.force_login(user)  # no second factor yet
    assert client.get("/events/new/")["Location"].startswith("/accounts/2fa/totp/activate")


# The event page ---------------------------------------------------------------------------


def test_a_coordinator_creates_a_cafe_with_a_session_and_a_speaker(client, coordinator, network):
    data = editor_data(network)
    data["sessions-0-people-0-photo"] = SimpleUploadedFile("ana.png", _png(), "image/png")
    data["sessions-0-people-0-photo_description"] = "Ana smiling in front of the village hall"
    response = client.post("/events/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get()
    assert response["Location"] == f"/events/{event.slug}/edit/"
    assert list(event.organiser_networks.all()) == [network]
    assert event.languages == ["en", "sl"]
    # The times were typed in the event's own zone (CET in March).
    assert event.starts_at == datetime(2030, 3, 5, 16, 0, tzinfo=UTC)
    (session,) = event.sessions.all()
    assert session.starts_at == event.starts_at
    (speaker,) = session.people.all()
    assert (speaker.name, speaker.role, speaker.publish_consent) == ("Ana Novak", "Mayor", True)
    assert speaker.photo.name.startswith("events/speakers/")
    page = client.get(f"/events/{event.slug}/").content.decode()
    assert "Ana Novak" in page and "Ana smiling in front of the village hall" in page

    # Editing keeps the speaker's photo; removing consent hides the speaker.
    edit = client.get(f"/events/{event.slug}/edit/")
    assert edit.status_code == 200
    data = editor_data(
        network,
        **{
            "sessions-INITIAL_FORMS": "1",
            "sessions-0-id": str(session.pk),
            "sessions-0-people-INITIAL_FORMS": "1",
            "sessions-0-people-0-photo_description": "Ana at the hall",
            "sessions-0-people-0-publish_consent": "",
        },
    )
    assert client.post(f"/events/{event.slug}/edit/", data).status_code == 302
    (speaker,) = Speaker.objects.all()
    assert speaker.photo.name.startswith("events/speakers/") and not speaker.publish_consent
    assert "Ana Novak" not in client.get(f"/events/{event.slug}/").content.decode()


def test_offers_low_bandwidth_and_recording_consent_are_set_and_kept_on_the_public_form(
    client, coordinator, network
):
    data = editor_data(
        network,
        waitlist_offers="on",
        waitlist_offer_hours="24",
        low_bandwidth="Dial +386 1 000 000, code 4711",
        **{"sessions-0-people-0-recording_consent": "on"},
    )
    assert client.post("/events/new/", data).status_code == 302
    event = Event.objects.get()
    assert (event.waitlist_offers, event.waitlist_offer_hours) == (True, 24)
    assert event.low_bandwidth == "Dial +386 1 000 000, code 4711"
    (session,) = event.sessions.all()
    assert session.people.get().recording_consent

    # The edit page carries them, so saving it again keeps them.
    editor = client.get(f"/events/{event.slug}/edit/").context["editor"]
    assert editor.form.initial["waitlist_offer_hours"] == 24
    people = editor.sessions.forms[0].people
    assert people.initial[0]["recording_consent"] is True
    data = editor_data(
        network,
        waitlist_offers="on",
        waitlist_offer_hours="24",
        **{
            "sessions-INITIAL_FORMS": "1",
            "sessions-0-id": str(session.pk),
            "sessions-0-people-INITIAL_FORMS": "1",
            "sessions-0-people-0-recording_consent": "on",
        },
    )
    assert client.post(f"/events/{event.slug}/edit/", data).status_code == 302
    assert Speaker.objects.get().recording_consent
    # Left empty, an offer lasts the default time.
    del data["waitlist_offer_hours"]
    assert client.post(f"/events/{event.slug}/edit/", data).status_code == 302
    event.refresh_from_db()
    assert event.waitlist_offer_hours == 48


def test_errors_name_their_field_and_nothing_typed_is_lost(client, coordinator, network):
    data = editor_data(
        network,
        title="",
        ends_at="2030-03-05T16:00",
        **{
            "questions-0-label": "Which workshop?",
            "questions-0-kind": "choice",
            "questions-0-choices": "Only one",
            "sessions-0-people-0-photo": SimpleUploadedFile("a.png", _png(), "image/png"),
        },
    )
    response = client.post("/events/new/", data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "This field is required." in page
    assert "Give at least two answers, one per line." in page
    assert "Describe what the photo shows." in page
    assert "Which workshop?" in page and "Ana Novak" in page  # kept for correcting
    assert not Event.objects.exists()

    # The model's own rules come back on their field too.
    response = client.post("/events/new/", editor_data(network, ends_at="2030-03-05T16:00"))
    assert response.status_code == 422
    assert "The event ends before it starts." in response.content.decode()


def test_a_new_event_must_belong_to_one_of_the_coordinators_networks(client, coordinator):
    other = NetworkFactory()
    response = client.post("/events/new/", editor_data(other))
    assert response.status_code == 422
    assert not Event.objects.exists()


def test_add_rows_stores_nothing_and_gives_each_table_a_row(client, coordinator, network):
    response = client.post("/events/new/", editor_data(network, more="1"))
    assert response.status_code == 200
    assert not Event.objects.exists()
    page = response.content.decode()
    assert 'name="sessions-2-title"' in page and 'name="sessions-0-people-2-name"' in page
    assert 'name="questions-1-label"' in page


def test_naming_organisers_by_address_or_user_name(client, coordinator, network):
    event = event_make(organiser_networks=[network])
    _person("helper")
    data = editor_data(network, organisers="helper@example.org\nnobody-here")
    response = client.post(f"/events/{event.slug}/edit/", data)
    assert response.status_code == 422
    assert "There is no account for nobody-here." in response.content.decode()
    data["organisers"] = "HELPER"
    assert client.post(f"/events/{event.slug}/edit/", data).status_code == 302
    assert [u.username for u in event.organisers.all()] == ["helper"]


def test_networks_the_coordinator_does_not_run_stay_on_the_event(client, coordinator, network):
    partner = NetworkFactory(name="Partner network")
    event = event_make(organiser_networks=[network, partner])
    assert client.post(f"/events/{event.slug}/edit/", editor_data(network)).status_code == 302
    assert set(event.organiser_networks.all()) == {network, partner}


def test_postpone_asks_first_then_tells_everyone(
    client, coordinator, network, django_capture_on_commit_callbacks
):
    event = event_make(organiser_networks=[network])
    register(event, 1)
    mail.outbox.clear()
    url = f"/events/{event.slug}/edit/status/"
    confirm = client.post(url, {"action": "postpone"})
    assert confirm.status_code == 200 and b"Postpone" in confirm.content
    assert Event.objects.get(pk=event.pk).status == "published"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "postpone", "confirm": "yes"})
    assert Event.objects.get(pk=event.pk).status == "postponed"
    assert [m.subject for m in mail.outbox] == ["Postponed: Smart Café in Testville"]
    assert "postponed" in mail.outbox[0].body


def test_duplicate_from_the_page_opens_the_copy(client, coordinator, network):
    event = event_make(organiser_networks=[network])
    response = client.post(f"/events/{event.slug}/edit/status/", {"action": "duplicate"})
    copy = Event.objects.exclude(pk=event.pk).get()
    assert response["Location"] == f"/events/{copy.slug}/edit/"
    assert copy.status == "draft"


def test_the_events_list_leads_coordinators_to_their_programme(client, network):
    assert b"/events/programme/" not in client.get("/events/").content
    sign_in(client, _person("coordinator", coordinator=network))
    assert b"/events/programme/" in client.get("/events/").content


def test_a_coordinator_creates_and_edits_a_series(client, coordinator, network):
    organiser = _person("organiser")
    response = client.post(
        "/events/series/new/",
        {"name": "Smart Café", "language": "en", "networks": [network.pk],
         "organisers": "organiser"},
    )  # fmt: skip
    series = services.Series.objects.get()
    assert response["Location"] == f"/events/series/{series.slug}/"
    assert list(series.organisers.all()) == [organiser]
    assert client.get(f"/events/series/{series.slug}/edit/").status_code == 200
    assert client.get("/events/programme/").status_code == 200


# Offers to host a café --------------------------------------------------------------------


def test_host_a_cafe_offer_accepted_into_the_programme(
    client, network, django_capture_on_commit_callbacks
):
    series = services.series_create(name="Smart Café", networks=[network])
    event_make(series=series, number=3)
    village = CommunityFactory(name="Testville")
    coordinator = _person("coordinator", coordinator=network)
    editor = _person("editor", community_editor=village)
    sign_in(client, editor)
    assert b"Offer to host a caf" in client.get(f"/events/series/{series.slug}/").content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/events/series/{series.slug}/host/",
            {"community": village.pk, "theme": "Village shops", "date_ideas": "Any Tuesday",
             "speakers": "Ana Novak, shopkeeper"},
        )  # fmt: skip
    assert response.status_code == 302
    offer = HostRequest.objects.get()
    (notice,) = CoordinatorNotice.objects.filter(kind="host_request")
    assert notice.user == coordinator and notice.path == f"/events/offers/{offer.pk}/"
    assert any("Village shops" in m.body or "Village shops" in m.subject for m in mail.outbox)

    # The proposer cannot decide their own offer.
    assert client.post(f"/events/offers/{offer.pk}/", {"action": "accept"}).status_code == 404
    sign_in(client, coordinator)
    assert client.get(f"/events/offers/{offer.pk}/").status_code == 200
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/events/offers/{offer.pk}/", {"action": "accept"})
    event = Event.objects.get(title="Village shops")
    assert response["Location"] == f"/events/{event.slug}/edit/"
    assert (event.status, event.kind, event.number, event.series) == ("draft", "cafe", 4, series)
    assert event.host_community == village and event.date_note == "Any Tuesday"
    assert event.sessions.get().speaker_list == ["Ana Novak, shopkeeper"]
    (message,) = mail.outbox
    assert message.to == ["editor@example.org"]
    assert "Village shops" in message.body and "programme" in message.subject
    # Decided once.
    with pytest.raises(services.HostRequestRefused):
        services.host_request_accept(request=offer)


def test_host_a_cafe_offer_declined_with_a_reason(
    client, network, django_capture_on_commit_callbacks
):
    series = services.series_create(name="Smart Café", networks=[network])
    village = CommunityFactory(name="Testville")
    editor = _person("editor", community_editor=village)
    offer = services.host_request_create(
        series=series, community=village, proposer=editor, date_ideas="May", theme="Bees"
    )
    sign_in(client, _person("coordinator", coordinator=network))
    response = client.post(f"/events/offers/{offer.pk}/", {"action": "decline", "reason": ""})
    assert response.status_code == 422 and b"This field is required." in response.content
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/events/offers/{offer.pk}/",
            {"action": "decline", "reason": "The spring cafés are planned already."},
        )
    offer.refresh_from_db()
    assert offer.status == "declined" and offer.event is None
    (message,) = mail.outbox
    assert message.to == ["editor@example.org"]
    assert "The spring cafés are planned already." in message.body


def test_only_community_editors_offer_and_only_the_series_coordinators_decide(client, network):
    series = services.series_create(name="Smart Café", networks=[network])
    village = CommunityFactory()
    offer = services.host_request_create(
        series=series, community=village, proposer=_person("editor", community_editor=village),
        date_ideas="May", theme="Bees",
    )  # fmt: skip
    sign_in(client, _person("someone"))
    assert client.get(f"/events/series/{series.slug}/host/").status_code == 404
    sign_in(client, _person("other", coordinator=NetworkFactory()))
    assert client.get(f"/events/offers/{offer.pk}/").status_code == 404


def test_the_personal_data_export_lists_offers_and_organised_events(network):
    from villagehub.accounts.overview import person_data
    from villagehub.accounts.services import person_erase

    village = CommunityFactory()
    editor = _person("editor", community_editor=village)
    series = services.series_create(name="Smart Café", networks=[network], organisers=[editor])
    event = event_make(organisers=[editor])
    services.host_request_create(
        series=series, community=village, proposer=editor, date_ideas="May", theme="Bees"
    )
    data = person_data(email=editor.email, user=editor)["account"]
    assert data["events_organised"] == [event.slug]
    assert data["series_organised"] == [series.slug]
    assert data["offers_to_host_a_cafe"][0]["theme"] == "Bees"
    person_erase(email=editor.email, user=editor)
    assert not HostRequest.objects.exists()
    assert not event.organisers.exists() and not series.organisers.exists()


def test_the_pages_and_the_decision_speak_the_reader_language(
    client, coordinator, network, django_capture_on_commit_callbacks
):
    page = client.get("/sv/events/new/").content.decode()
    assert "Nytt evenemang" in page and "Programpunkt 1" in page and "Talare 1" in page
    series = services.series_create(name="Smart Café", networks=[network])
    village = CommunityFactory(name="Testville")
    offer = services.host_request_create(
        series=series, community=village, proposer=_person("editor"), date_ideas="Maj",
        theme="Bin", language="sv",
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.host_request_decline(request=offer, reason="Fullt i vår.")
    (message,) = [m for m in mail.outbox if m.to == ["editor@example.org"]]
    assert message.subject == "Ditt erbjudande att vara värd för ett café i Smart Café"
    assert "har avböjt" in message.body and "Fullt i vår." in message.body


def test_the_decision_on_an_offer_is_written_in_the_proposers_chosen_language(
    network, django_capture_on_commit_callbacks
):
    series = services.series_create(name="Smart Café", networks=[network])
    proposer = _person("editor")
    account_language_set(user=proposer, language="lv")
    offer = services.host_request_create(
        series=series, community=CommunityFactory(), proposer=proposer, date_ideas="Maj",
        theme="Bin", language="sv",
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.host_request_decline(request=offer, reason="Pavasarī viss aizņemts.")
    (message,) = [m for m in mail.outbox if m.to == ["editor@example.org"]]
    assert message.subject == "Jūsu piedāvājums uzņemt cikla Smart Café kafejnīcu"
    assert f"/lv/events/series/{series.slug}/" in message.body
