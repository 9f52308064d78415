from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from villagehub.communities.tests.factories import CommunityFactory
from villagehub.events import selectors, services, tasks
from villagehub.events.models import Event, Feedback, Notice, Question, Registration
from villagehub.events.statistics import Estimate

from .factories import event_make, register

pytestmark = pytest.mark.django_db


def statuses(event):
    return list(event.registrations.order_by("pk").values_list("status", flat=True))


def test_registration_create_confirms_until_full_then_waitlists_in_order():
    event = event_make(capacity=2)
    regs = [register(event, n)[0] for n in range(5)]
    assert statuses(event) == ["confirmed", "confirmed", "waitlisted", "waitlisted", "waitlisted"]
    assert [selectors.waitlist_position(r) for r in regs] == [None, None, 1, 2, 3]
    assert selectors.event_places_left(event) == 0


def test_registration_create_refuses_a_full_event_without_waiting_list():
    event = event_make(capacity=1, waiting_list=False)
    register(event, 1)
    with pytest.raises(services.RegistrationRefused) as refused:
        register(event, 2)
    assert refused.value.code == "full"
    assert event.registrations.count() == 1


def test_registering_twice_with_the_same_email_keeps_one_place(django_capture_on_commit_callbacks):
    event = event_make(capacity=5)
    with django_capture_on_commit_callbacks(execute=True):
        first, created = register(event, 1, email="Ana@Example.org")
        again, created_again = register(event, 1, email="ana@example.ORG ")
    assert created and not created_again
    assert again.pk == first.pk
    assert event.registrations.count() == 1
    # The confirmation, then the link sent again (not a second confirmation).
    assert [m.subject for m in mail.outbox] == [
        "You are registered: Smart Café in Testville",
        "Your registration: Smart Café in Testville",
    ]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"registration_open": False}, "unavailable"),
        ({"status": Event.Status.DRAFT}, "unavailable"),
        ({"registration_opens_at": timezone.now() + timedelta(days=1)}, "not_open"),
        ({"registration_closes_at": timezone.now() - timedelta(minutes=1)}, "closed"),
    ],
)
def test_registration_create_refuses_when_registration_is_not_open(fields, code):
    event = event_make(**fields)
    with pytest.raises(services.RegistrationRefused) as refused:
        register(event, 1)
    assert refused.value.code == code
    assert not Registration.objects.exists()


def test_registration_needs_privacy_consent_and_a_valid_email():
    event = event_make()
    with pytest.raises(ValidationError) as error:
        register(event, 1, privacy_consent=False)
    assert "privacy_consent" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        register(event, 1, email="not-an-address")
    assert "email" in error.value.message_dict
    assert not Registration.objects.exists()


def test_registration_records_consent_time_and_notice_version():
    event = event_make()
    registration, _ = register(event, 1, contact_consent=True)
    assert registration.privacy_notice_version == "2026-11-23"
    assert abs(registration.privacy_consent_at - timezone.now()) < timedelta(seconds=10)
    assert registration.contact_consent is True


def test_cancel_promotes_the_first_person_waiting_and_tells_them(
    django_capture_on_commit_callbacks,
):
    event = event_make(capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        holder, _ = register(event, 1)
        register(event, 2, language="sv")
        third, _ = register(event, 3)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=holder)
    assert statuses(event) == ["cancelled", "confirmed", "waitlisted"]
    assert selectors.waitlist_position(Registration.objects.get(pk=third.pk)) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["person1@example.org", "person2@example.org"]
    promoted = next(m for m in mail.outbox if m.to == ["person2@example.org"])
    assert promoted.subject.startswith("En plats är din")
    assert promoted.attachments[0].filename == f"{event.slug}.ics"


def test_cancel_of_a_waiting_person_promotes_nobody():
    event = event_make(capacity=1)
    register(event, 1)
    waiting, _ = register(event, 2)
    services.registration_cancel(registration=waiting)
    assert statuses(event) == ["confirmed", "cancelled"]


def test_cancelled_person_who_registers_again_queues_at_the_end():
    event = event_make(capacity=1)
    first, _ = register(event, 1)
    register(event, 2)
    services.registration_cancel(registration=first)
    again, created = register(event, 1)
    # A new row: the cancelled one stays as it was, with its own personal link.
    assert created and again.pk != first.pk
    assert statuses(event) == ["cancelled", "confirmed", "waitlisted"]
    assert again.status == Registration.Status.WAITLISTED
    assert selectors.waitlist_position(again) == 1


def test_more_places_promote_people_waiting():
    event = event_make(capacity=1)
    for n in range(4):
        register(event, n)
    services.event_update(event=event, capacity=3)
    assert statuses(event) == ["confirmed", "confirmed", "confirmed", "waitlisted"]


def test_approval_confirms_or_waitlists_when_full():
    event = event_make(capacity=1, requires_approval=True)
    a, _ = register(event, 1)
    b, _ = register(event, 2)
    assert statuses(event) == ["pending", "pending"]
    assert services.registration_approve(registration=a).status == "confirmed"
    assert services.registration_approve(registration=b).status == "waitlisted"
    c, _ = register(event, 3)
    assert services.registration_decline(registration=c).status == "declined"


def test_custom_questions_are_validated():
    event = event_make(
        questions=[
            {"label": "Dietary needs", "kind": Question.Kind.TEXT},
            {
                "label": "Workshop",
                "kind": Question.Kind.CHOICE,
                "choices": "A\nB",
                "required": True,
            },
        ]
    )
    workshop = event.questions.get(label="Workshop")
    with pytest.raises(ValidationError) as error:
        register(event, 1, answers={})
    assert error.value.message_dict["answers"] == ["“Workshop” needs an answer."]
    with pytest.raises(ValidationError):
        register(event, 1, answers={str(workshop.pk): "C"})
    registration, _ = register(event, 1, answers={str(workshop.pk): "B"})
    assert registration.answers == {str(workshop.pk): "B"}


def test_questions_keep_their_id_when_the_event_is_edited():
    event = event_make(questions=[{"label": "Dietary needs"}, {"label": "Arrival"}])
    kept = event.questions.get(label="Arrival").pk
    services.event_update(event=event, questions=[{"label": "Arrival"}, {"label": "Parking"}])
    assert event.questions.get(label="Arrival").pk == kept
    assert list(event.questions.values_list("label", flat=True)) == ["Arrival", "Parking"]


def test_host_representatives_must_represent_the_host():
    host = CommunityFactory()
    other = CommunityFactory()
    stranger = other.representatives.create(name="Someone Else")
    with pytest.raises(ValidationError) as error:
        event_make(host_community=host, host_representatives=[stranger])
    assert "host_representatives" in error.value.message_dict


def test_registration_update_changes_details_but_not_the_email():
    event = event_make()
    registration, _ = register(event, 1)
    services.registration_update(registration=registration, name="Ana Novak", language="sl")
    registration.refresh_from_db()
    assert (registration.name, registration.language) == ("Ana Novak", "sl")
    with pytest.raises(TypeError):
        services.registration_update(registration=registration, email="x@example.org")


def test_calendar_changes_raise_the_sequence_and_cancellation_tells_everyone_once(
    django_capture_on_commit_callbacks,
):
    event = event_make(capacity=1)
    register(event, 1)
    register(event, 2, language="fr")
    services.event_update(event=event, summary="Only the summary changed.")
    assert Event.objects.get(pk=event.pk).sequence == 0
    services.event_update(event=event, starts_at=event.starts_at + timedelta(hours=1))
    assert Event.objects.get(pk=event.pk).sequence == 1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(event=event, status=Event.Status.CANCELLED)
    event.refresh_from_db()
    assert event.sequence == 2
    assert sorted(m.subject for m in mail.outbox) == [
        "Annulé : Smart Café in Testville",
        "Cancelled: Smart Café in Testville",
    ]
    # The task running a second time (a retry) sends nothing more.
    assert tasks.event_change_notify.call(event.pk, event.sequence) == 0
    assert len(mail.outbox) == 2


def test_reminder_is_sent_once_in_each_language_with_the_online_link():
    event = event_make(capacity=2)
    register(event, 1, language="sv")
    register(event, 2)
    register(event, 3)  # waiting: no reminder
    start = event.starts_at.isoformat()
    assert tasks.event_reminder_send.call(event.pk, 60, start) == 2
    assert tasks.event_reminder_send.call(event.pk, 60, start) == 0
    assert sorted(m.subject for m in mail.outbox) == [
        "Påminnelse: Smart Café in Testville",
        "Reminder: Smart Café in Testville",
    ]
    assert all("https://meet.example.org/cafe" in m.body for m in mail.outbox)
    # The other reminder (a day before) is a different notice and goes out once too.
    assert tasks.event_reminder_send.call(event.pk, 1440, start) == 2
    assert Notice.objects.filter(kind=Notice.Kind.REMINDER).count() == 4


def test_reminder_for_a_moved_event_does_nothing():
    event = event_make()
    register(event, 1)
    old_start = event.starts_at.isoformat()
    services.event_update(
        event=event,
        starts_at=event.starts_at + timedelta(days=1),
        ends_at=event.ends_at + timedelta(days=1),
    )
    assert tasks.event_reminder_send.call(event.pk, 60, old_start) == 0
    assert mail.outbox == []


def test_reminders_are_scheduled_as_deferred_tasks(settings, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        event = event_make(reminder_minutes=[1440, 60])
    scheduled = DBTaskResult.objects.filter(task_path__endswith="event_reminder_send")
    assert sorted(r.run_after for r in scheduled) == [
        event.starts_at - timedelta(days=1),
        event.starts_at - timedelta(hours=1),
    ]


def ended(event):
    """A moment after the event: check-in is open and the survey too."""
    return event.ends_at + timedelta(hours=1)


def attend(event, n, **fields):
    registration, _ = register(event, n)
    return services.attendance_set(registration=registration, attended=True, now=ended(event))


def test_feedback_only_from_attendees_and_only_once():
    event = event_make(capacity=10)
    absent, _ = register(event, 1)
    with pytest.raises(services.FeedbackRefused) as refused:
        services.feedback_create(
            registration=absent,
            would_attend_again=True,
            recommend=9,
            satisfaction=5,
            now=ended(event),
        )
    assert refused.value.code == "not_attended"
    present = attend(event, 2)
    services.feedback_create(
        registration=present,
        would_attend_again=True,
        recommend=9,
        satisfaction=5,
        now=ended(event),
    )
    with pytest.raises(services.FeedbackRefused) as refused:
        services.feedback_create(
            registration=present,
            would_attend_again=False,
            recommend=0,
            satisfaction=1,
            now=ended(event),
        )
    assert refused.value.code == "answered"
    assert Feedback.objects.count() == 1


def test_feedback_invitation_goes_once_to_attendees_who_have_not_answered():
    event = event_make(capacity=10)
    register(event, 0)
    attendees = [attend(event, n) for n in range(1, 4)]
    services.feedback_create(
        registration=attendees[0],
        would_attend_again=True,
        recommend=10,
        satisfaction=5,
        now=ended(event),
    )
    assert tasks.event_feedback_invite.call(event.pk) == 2
    assert tasks.event_feedback_invite.call(event.pk) == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["person2@example.org", "person3@example.org"]
    assert "/feedback/" in mail.outbox[0].body


def test_feedback_summary_gives_exact_survey_metrics():
    event = event_make(capacity=20)
    answers = [  # (would attend again, recommend 0–10, satisfaction 1–5)
        (True, 10, 5), (True, 9, 4), (True, 8, 4), (False, 6, 2), (True, 3, 3),
    ]  # fmt: skip
    for n, (again, recommend, satisfaction) in enumerate(answers):
        services.feedback_create(
            registration=attend(event, n),
            would_attend_again=again,
            recommend=recommend,
            satisfaction=satisfaction,
            now=ended(event),
        )
    for n in range(5, 8):
        attend(event, n)  # attended, did not answer
    summary = selectors.feedback_summary(Event.objects.filter(pk=event.pk))
    # Hand-computed: Wilson bounds solve (p̂ − π)² = z²π(1 − π)/n with z = 1.6449; the NPS
    # bounds are 0 ± z·√((0.4 + 0.4 − 0²)/5); satisfaction 3.6 ± z·s/√5 with s² = 1.3.
    assert summary == selectors.FeedbackSummary(
        attendees=8,
        responses=5,
        response_rate=Estimate(value=62.5, low=34.8, high=83.9, n=8),
        attend_again=Estimate(value=80.0, low=43.5, high=95.4, n=5),
        promoters=Estimate(value=40.0, low=14.3, high=72.8, n=5),
        nps=Estimate(value=0.0, low=-65.8, high=65.8, n=5),
        satisfaction=Estimate(value=3.6, low=2.8, high=4.4, n=5),
    )
    assert not summary.withheld


def test_feedback_summary_over_a_series_and_without_answers():
    assert selectors.feedback_summary(Event.objects.none()) == selectors.FeedbackSummary(
        0, 0, None, None, None, None, None
    )
    first = event_make(title="Café 1", capacity=10)
    second = event_make(title="Café 2", capacity=10)
    for n, (event, recommend, satisfaction) in enumerate(
        [(first, 10, 5), (first, 10, 5), (first, 9, 4), (second, 5, 3), (second, 2, 3)]
    ):
        services.feedback_create(
            registration=attend(event, n),
            would_attend_again=recommend > 5,
            recommend=recommend,
            satisfaction=satisfaction,
            now=ended(event),
        )
    summary = selectors.feedback_summary(Event.objects.filter(pk__in=[first.pk, second.pk]))
    assert (summary.nps.value, summary.satisfaction.value, summary.promoters.value) == (
        20.0,
        4.0,
        60.0,
    )
    # Each event alone has fewer than five answers: its figures are withheld, its count not.
    alone = selectors.feedback_summary(Event.objects.filter(pk=first.pk))
    assert alone == selectors.FeedbackSummary(
        3, 3, Estimate(value=100.0, low=52.6, high=100.0, n=3), None, None, None, None
    )
    assert alone.withheld


def test_survey_reminder_goes_once_to_attendees_asked_who_have_not_answered(
    django_capture_on_commit_callbacks,
):
    event = event_make(capacity=10)
    absent, _ = register(event, 0)
    attendees = [attend(event, n) for n in range(1, 4)]
    with pytest.raises(services.FeedbackRefused) as refused:
        services.event_feedback_remind(event=event)
    assert refused.value.code == "not_ended"
    now = ended(event)
    with pytest.raises(services.FeedbackRefused) as refused:
        services.event_feedback_remind(event=event, now=now)
    assert refused.value.code == "not_sent"
    assert tasks.event_feedback_invite.call(event.pk) == 3
    late = attend(event, 4)  # checked in after the survey went out: not asked, not reminded
    services.feedback_create(
        registration=attendees[0], would_attend_again=True, recommend=9, satisfaction=4, now=now
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.event_feedback_remind(event=event, now=now) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["person2@example.org", "person3@example.org"]
    assert "This is the only reminder we send." in mail.outbox[0].body
    assert "/feedback/" in mail.outbox[0].body
    assert tasks.event_feedback_remind_send.call(event.pk) == 0
    with pytest.raises(services.FeedbackRefused) as refused:
        services.event_feedback_remind(event=event, now=now)
    assert refused.value.code == "reminded"
    assert len(mail.outbox) == 2
    reminded = Notice.objects.filter(kind=Notice.Kind.SURVEY_REMINDER)
    assert sorted(reminded.values_list("registration_id", flat=True)) == [
        attendees[1].pk,
        attendees[2].pk,
    ]
    unanswered = selectors.feedback_unanswered(event)
    assert [(r.pk, r.asked, r.reminded) for r in unanswered] == [
        (attendees[1].pk, True, True),
        (attendees[2].pk, True, True),
        (late.pk, False, False),
    ]
    assert absent.pk not in {r.pk for r in unanswered}
