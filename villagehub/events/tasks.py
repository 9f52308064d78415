"""Background work for events: e-mail to participants. Tasks take ids, may run twice
without sending anything twice (see `Notice`), and write only through the services."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from villagehub.accounts.selectors import languages_of
from villagehub.core.mail import email_message
from villagehub.core.tasks import task_again
from villagehub.notices.models import Kind as NoticeKind

from . import selectors, services
from .models import ERASED_DOMAIN, Event, Feedback, Notice, Registration

# Which e-mail template each notice uses, and whether it carries the calendar entry.
_TEMPLATES = {
    Notice.Kind.CONFIRMATION: ("registration_confirmed", True),
    Notice.Kind.PROMOTED: ("registration_promoted", True),
    Notice.Kind.OFFER: ("registration_offer", False),
    Notice.Kind.OFFER_EXPIRED: ("registration_offer_expired", False),
    Notice.Kind.WAITLISTED: ("registration_waitlisted", False),
    Notice.Kind.PENDING: ("registration_pending", False),
    Notice.Kind.DECLINED: ("registration_declined", False),
    Notice.Kind.CANCELLED: ("registration_cancelled", False),
    Notice.Kind.LINK: ("registration_link", False),
    Notice.Kind.EVENT_CHANGED: ("event_changed", True),
    Notice.Kind.REMINDER: ("event_reminder", False),
    Notice.Kind.FEEDBACK: ("feedback_invitation", False),
    Notice.Kind.SURVEY_REMINDER: ("feedback_reminder", False),
}


def _shared(event: Event, language: str, cache: dict) -> dict:
    """What every message about this event in one language shares: worked out once."""
    if language not in cache:
        with translation.override(language):
            cache[language] = {
                "event_url": selectors.absolute_url(event.get_absolute_url()),
                "title": event.localized("title", language).text,
                "when": selectors.event_when(event, language),
                "link": selectors.absolute_url(
                    reverse("events:registration", kwargs={"token": "__token__"})
                ),
            }
    return cache[language]


def _message(registration: Registration, kind: str, connection=None, cache=None, **extra):
    template, with_calendar = _TEMPLATES[kind]
    event = registration.event
    attachments = []
    if with_calendar and selectors.event_in_calendar(event):
        attachments.append(
            (
                f"{event.slug}.ics",
                selectors.event_ical([event], registration=registration, method="PUBLISH"),
                "text/calendar; charset=utf-8; method=PUBLISH",
            )
        )
    shared = _shared(event, registration.language, {} if cache is None else cache)
    context = {
        **shared,
        "registration": registration,
        "event": event,
        "manage_url": shared["link"].replace(
            "__token__", selectors.registration_token(registration)
        ),
        "position": selectors.waitlist_position(registration),
        **extra,
    }
    return email_message(
        html=not (kind == Notice.Kind.REMINDER and registration.plain_text_reminders),
        to=registration.email,
        template=f"events/{template}",
        context=context,
        language=registration.language,
        attachments=attachments,
        connection=connection,
    )


@task()
def registration_notify(registration_id: int, kind: str, key: str = "") -> bool:
    registration = (
        Registration.objects.select_related("event")
        .filter(pk=registration_id)
        .exclude(email__endswith=ERASED_DOMAIN)
        .first()
    )
    if registration is None or not services.notice_claim(
        registration=registration, kind=kind, key=key
    ):
        return False
    _message(registration, kind).send()
    return True


def _send_to_all(event: Event, registrations, kind: str, key: str = "", **extra) -> int:
    sent = 0
    connection = mail.get_connection()
    cache: dict = {}
    registrations = registrations.exclude(email__endswith=ERASED_DOMAIN)
    while batch := services.notices_claim_batch(registrations=registrations, kind=kind, key=key):
        for registration in batch:
            registration.event = event
        connection.send_messages([_message(r, kind, connection, cache, **extra) for r in batch])
        sent += len(batch)
    return sent


@task()
def event_reminder_send(event_id: int, minutes_before: int, scheduled_start: str) -> int:
    event = Event.objects.filter(pk=event_id).first()
    if (
        event is None
        or event.status != Event.Status.PUBLISHED
        or event.starts_at is None
        or event.starts_at != datetime.fromisoformat(scheduled_start)
        or event.starts_at <= timezone.now()
    ):
        # Moved, cancelled or already begun: a newer task (or none) is due instead.
        return 0
    return _send_to_all(
        event,
        event.registrations.filter(status=Registration.Status.CONFIRMED),
        Notice.Kind.REMINDER,
        str(minutes_before),
        minutes_before=minutes_before,
    )


@task()
def event_registration_opened(event_id: int, scheduled_opening: str) -> int:
    """Tell the organisers that registration has opened (once: the notice's occasion is the
    opening time)."""
    event = Event.objects.filter(pk=event_id).first()
    if (
        event is None
        or event.status != Event.Status.PUBLISHED
        or not event.registration_open
        or event.registration_opens_at is None
        or event.registration_opens_at != datetime.fromisoformat(scheduled_opening)
    ):
        return 0
    return services.event_organisers_tell(
        event=event, kind=NoticeKind.REGISTRATION_OPEN, key=scheduled_opening
    )


@task()
def event_change_notify(event_id: int, sequence: int) -> int:
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return 0
    return _send_to_all(
        event,
        event.registrations.filter(status__in=Registration.ACTIVE),
        Notice.Kind.EVENT_CHANGED,
        str(sequence),
    )


@task()
def event_feedback_invite(event_id: int) -> int:
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return 0
    return _send_to_all(
        event,
        event.registrations.filter(attended=True).exclude(
            pk__in=Feedback.objects.filter(registration__isnull=False).values("registration_id")
        ),
        Notice.Kind.FEEDBACK,
    )


@task()
def event_feedback_remind_send(event_id: int) -> int:
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return 0
    return _send_to_all(event, services.feedback_remind_due(event), Notice.Kind.SURVEY_REMINDER)


@task()
def waitlist_offer_expire(event_id: int) -> int:
    """Due when an offer lapses: passes its place on (nothing if it was accepted)."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return 0
    return services.event_offers_expire(event=event)


OFFER_SWEEP_INTERVAL = timedelta(minutes=15)


@task()
def waitlist_offers_sweep() -> int:
    """End the offers whose own task was lost, then queue the next sweep (the worker
    queues the first): a lapsed offer waits at most this interval."""
    ended = services.waitlist_offers_expire()
    task_again(waitlist_offers_sweep, at=timezone.now() + OFFER_SWEEP_INTERVAL)
    return ended


@task()
def host_request_notify(request_id: int) -> bool:
    """Tell the proposer whether their offer to host a café was taken into the programme
    (one e-mail per decision: a decision happens once)."""
    from .models import HostRequest

    request = (
        HostRequest.objects.select_related("series", "community", "proposer")
        .filter(pk=request_id)
        .first()
    )
    if request is None or not request.proposer.email:
        return False
    # The language the proposer chose for their account, else the one they wrote in.
    language = languages_of([request.proposer_id]).get(request.proposer_id) or request.language
    with translation.override(language):
        series_url = selectors.absolute_url(request.series.get_absolute_url())
    email_message(
        to=request.proposer.email,
        template="events/host_request_decided",
        context={"request": request, "series_url": series_url},
        language=language,
    ).send()
    return True


RETENTION_TASK_INTERVAL = timedelta(days=1)


@task()
def registrations_retention_run() -> int:
    """Anonymise the registrations of events older than the retention period, then queue
    the next daily run (the worker queues the first)."""
    erased = services.registrations_anonymise_expired(months=settings.REGISTRATION_RETENTION_MONTHS)
    task_again(registrations_retention_run, at=timezone.now() + RETENTION_TASK_INTERVAL)
    return erased
