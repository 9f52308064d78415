"""Registration details organisers asked for: their own questions (required, one or several
answers, free text) answered and changed until registration closes, consent to recording and
publication, the dial-in alternative and plain-text reminders."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from villagehub.accounts.overview import person_data
from villagehub.events import selectors, services, tasks
from villagehub.events.models import Event, Registration

from .factories import event_make, register
from .test_views import organiser  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {"label": "Dietary needs", "kind": "text"},
    {"label": "Which sessions?", "kind": "multiple", "choices": "Energy\nMobility\nCare"},
    {"label": "Your role", "kind": "choice", "choices": "Mayor\nCitizen", "required": True},
]


def _questions(event):
    return list(event.questions.order_by("position"))


def test_a_question_with_several_answers_keeps_them_in_the_questions_order():
    event = event_make(questions=QUESTIONS)
    diet, sessions, role = _questions(event)
    registration, _ = register(
        event, 1, answers={str(sessions.pk): ["Care", "Energy"], str(role.pk): "Mayor"}
    )
    assert registration.answers == {str(sessions.pk): ["Energy", "Care"], str(role.pk): "Mayor"}
    assert selectors.registration_answers(registration, [diet, sessions, role]) == [
        "",
        "Energy; Care",
        "Mayor",
    ]


def test_unknown_or_missing_answers_are_refused_naming_the_question():
    event = event_make(questions=QUESTIONS)
    _diet, sessions, _role = _questions(event)
    with pytest.raises(ValidationError) as error:
        register(event, 1, answers={str(sessions.pk): ["Gardening"]})
    assert error.value.message_dict["answers"] == [
        "“Which sessions?”: choose among the answers.",
        "“Your role” needs an answer.",
    ]
    assert not Registration.objects.exists()


def test_a_multiple_choice_question_needs_two_answers_to_choose_from():
    with pytest.raises(ValidationError) as error:
        event_make(questions=[{"label": "Pick", "kind": "multiple", "choices": "Only"}])
    assert "Give at least two answers, one per line." in str(error.value)


def test_the_registration_form_asks_the_questions_and_the_consents(client):
    event = event_make(questions=QUESTIONS)
    _diet, sessions, role = _questions(event)
    page = client.get(f"/events/{event.slug}/register/").content.decode()
    assert "<legend>Which sessions?</legend>" in page
    assert f'type="checkbox" name="q_{sessions.pk}" value="Mobility"' in page
    assert "I agree to be recorded (sound and picture) if the event is recorded." in page
    assert "Send me reminders in plain text only" in page
    response = client.post(
        f"/events/{event.slug}/register/",
        {
            "name": "Ana Novak",
            "email": "ana@example.org",
            "language": "en",
            "privacy_consent": "on",
            f"q_{sessions.pk}": ["Energy", "Mobility"],
            f"q_{role.pk}": "Citizen",
            "consent_recording": "on",
            "plain_text_reminders": "on",
        },
    )
    assert response.status_code == 200
    registration = Registration.objects.get()
    assert registration.answers == {
        str(sessions.pk): ["Energy", "Mobility"],
        str(role.pk): "Citizen",
    }
    assert (
        registration.consent_recording,
        registration.consent_publish,
        registration.plain_text_reminders,
    ) == (True, False, True)


def test_the_registrant_changes_answers_until_registration_closes(client):
    event = event_make(questions=QUESTIONS)
    diet, sessions, role = _questions(event)
    registration, _ = register(event, 1, answers={str(role.pk): "Mayor"})
    url = f"/events/registration/{selectors.registration_token(registration)}/"
    form = {"name": "Person 1", "language": "en", f"q_{role.pk}": "Citizen"}
    form[f"q_{diet.pk}"] = "Vegetarian"
    form[f"q_{sessions.pk}"] = ["Care"]
    form["consent_publish"] = "on"
    assert client.post(url, form).status_code == 302
    registration.refresh_from_db()
    assert registration.answers == {
        str(diet.pk): "Vegetarian",
        str(sessions.pk): ["Care"],
        str(role.pk): "Citizen",
    }
    assert registration.consent_publish is True

    Event.objects.filter(pk=event.pk).update(registration_closes_at=timezone.now())
    page = client.get(url).content.decode()
    assert "Registration has closed: the answers can no longer change." in page
    assert f'name="q_{diet.pk}"' not in page
    assert "<dt>Which sessions?</dt><dd>Care</dd>" in page
    form[f"q_{diet.pk}"] = "None"
    form.pop("consent_publish")
    assert client.post(url, form).status_code == 302
    registration.refresh_from_db()
    assert registration.answers[str(diet.pk)] == "Vegetarian"  # unchanged
    assert registration.consent_publish is False  # consent can be withdrawn at any time


def test_the_service_refuses_changed_answers_after_registration_closed():
    event = event_make(questions=QUESTIONS)
    _diet, _sessions, role = _questions(event)
    registration, _ = register(event, 1, answers={str(role.pk): "Mayor"})
    later = event.starts_at + timedelta(minutes=1)
    with pytest.raises(ValidationError) as error:
        services.registration_update(
            registration=registration, answers={str(role.pk): "Citizen"}, now=later
        )
    assert error.value.message_dict == {
        "answers": ["Registration has closed: the answers can no longer change."]
    }


def test_answers_and_consents_are_in_every_export_and_in_the_persons_data(client, organiser):  # noqa: F811
    event = event_make(questions=QUESTIONS)
    _diet, sessions, role = _questions(event)
    register(
        event,
        1,
        name="Ana Novak",
        answers={str(sessions.pk): ["Energy", "Care"], str(role.pk): "Mayor"},
        consent_recording=True,
    )
    response = client.get(f"/events/export/registrations.csv?event={event.slug}")
    header, row = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    values = dict(zip(header, row, strict=True))
    assert values["may be recorded"] == "yes"
    assert values["name and picture may be published"] == "no"
    assert values["Which sessions?"] == "Energy; Care"
    assert values["Your role"] == "Mayor"
    page = client.get(f"/events/{event.slug}/manage/").content.decode()
    assert "<td>Energy; Care</td><td>Mayor</td>" in page

    (data,) = person_data(email="person1@example.org")["event_registrations"]
    assert data["answers"] == {
        "Dietary needs": "",
        "Which sessions?": "Energy; Care",
        "Your role": "Mayor",
    }
    assert (data["consent_recording"], data["consent_publish"]) == (True, False)
    assert data["plain_text_reminders"] is False


def test_erasure_forgets_consents_and_answers():
    from villagehub.accounts.services import person_erase

    event = event_make(questions=QUESTIONS)
    _diet, _sessions, role = _questions(event)
    register(
        event,
        1,
        answers={str(role.pk): "Mayor"},
        consent_recording=True,
        consent_publish=True,
        plain_text_reminders=True,
    )
    person_erase(email="person1@example.org")
    registration = Registration.objects.get()
    assert registration.answers == {}
    assert (
        registration.consent_recording,
        registration.consent_publish,
        registration.plain_text_reminders,
    ) == (False, False, False)


def test_the_dial_in_alternative_is_shown_only_to_confirmed_participants(
    client, django_capture_on_commit_callbacks
):
    event = event_make(capacity=1, low_bandwidth="Dial +386 1 234 5678, code 4321")
    with django_capture_on_commit_callbacks(execute=True):
        confirmed, _ = register(event, 1)
        waiting, _ = register(event, 2)
    confirmation = next(m for m in mail.outbox if m.to == ["person1@example.org"])
    assert (
        "Dial-in or low-bandwidth alternative: Dial +386 1 234 5678, code 4321" in confirmation.body
    )
    assert "Dial +386 1 234 5678" in confirmation.alternatives[0][0]
    waitlisted = next(m for m in mail.outbox if m.to == ["person2@example.org"])
    assert "Dial +386" not in waitlisted.body
    page = client.get(f"/events/registration/{selectors.registration_token(confirmed)}/")
    assert "Dial +386 1 234 5678, code 4321" in page.content.decode()
    page = client.get(f"/events/registration/{selectors.registration_token(waiting)}/")
    assert "Dial +386" not in page.content.decode()
    assert "Dial +386" not in client.get(event.get_absolute_url()).content.decode()


def test_reminders_go_in_plain_text_only_to_those_who_asked():
    event = event_make(capacity=5)
    register(event, 1, plain_text_reminders=True)
    register(event, 2)
    mail.outbox.clear()
    assert tasks.event_reminder_send.call(event.pk, 60, event.starts_at.isoformat()) == 2
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address["person1@example.org"].alternatives == []
    assert "starts soon" in by_address["person1@example.org"].body
    assert by_address["person2@example.org"].alternatives[0][1] == "text/html"
