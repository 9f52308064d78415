"""Writes for the events programme: the one path for forms, admin, imports and tasks."""

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from villagehub.core.services import model_save, record_upsert, unique_slug
from villagehub.notices.models import Kind as NoticeKind
from villagehub.notices.selectors import coordinators_of, path_for
from villagehub.notices.services import notices_send

from .models import (
    ERASED_DOMAIN,
    Event,
    Feedback,
    Material,
    Notice,
    Question,
    Registration,
    Series,
    Session,
    Sponsor,
)

# Fields whose change makes calendars show a new revision (RFC 5545 SEQUENCE).
_CALENDAR_FIELDS = (
    "title", "starts_at", "ends_at", "date_precision", "time_zone", "venue_name",
    "venue_address", "city", "country", "online_url", "status",
)  # fmt: skip
_NESTED = {"sessions": Session, "sponsors": Sponsor, "materials": Material, "questions": Question}
_LINK_RESEND_MINUTES = 10


class RegistrationRefused(Exception):
    """Registration is not possible; `code` names why (closed, not_open, full, unavailable)."""

    MESSAGES = {
        "unavailable": _("This event does not take registrations in the hub."),
        "not_open": _("Registration for this event has not opened yet."),
        "closed": _("Registration for this event is closed."),
        "full": _("This event is full and has no waiting list."),
    }

    def __init__(self, code: str):
        self.code = code
        super().__init__(str(self.MESSAGES[code]))


class FeedbackRefused(Exception):
    MESSAGES = {
        "not_attended": _("The survey is for people who attended the event."),
        "answered": _("You have already answered the survey for this event. Thank you!"),
        "not_ended": _("The survey opens when the event has ended."),
        "not_sent": _("Send the survey first: the reminder goes to people who were asked."),
        "reminded": _("Everyone who was asked and has not answered has already been reminded."),
    }

    def __init__(self, code: str):
        self.code = code
        super().__init__(str(self.MESSAGES[code]))


class CheckInRefused(Exception):
    """Attendance cannot be recorded yet; `code` names why."""

    MESSAGES = {
        "not_open": _("Check-in for this event has not opened yet."),
    }

    def __init__(self, code: str):
        self.code = code
        super().__init__(str(self.MESSAGES[code]))


def _enqueue(task, *args) -> None:
    # Tasks read what the transaction wrote, so they are queued only once it commits.
    transaction.on_commit(lambda: task.enqueue(*args))


def event_organisers_tell(*, event: Event, kind: str, key: str) -> int:
    """A notice to the coordinators who organise this event (its networks and its series'),
    once per occasion (`key`), with the link to its organiser page."""
    networks = list(event.organiser_networks.all())
    if event.series_id:
        networks += list(event.series.networks.all())
    return len(
        notices_send(
            users=coordinators_of(networks=networks),
            kind=kind,
            subject=event.title,
            path=path_for("events:manage", event.slug),
            key=f"{kind}-{event.pk}-{key}",
        )
    )


def event_opening_schedule(*, event: Event, now=None) -> bool:
    """Queue the task that tells the organisers when registration opens; a task whose
    opening time has since changed does nothing (the change queued a new one)."""
    from django_tasks import default_task_backend

    from .tasks import event_registration_opened

    now = now or timezone.now()
    opens = event.registration_opens_at
    if (
        event.status != Event.Status.PUBLISHED
        or not event.registration_open
        or opens is None
        or opens <= now
        or not default_task_backend.supports_defer
    ):
        return False
    task = event_registration_opened.using(run_after=opens)
    transaction.on_commit(lambda: task.enqueue(event.pk, opens.isoformat()))
    return True


# Series ---------------------------------------------------------------------------------


@transaction.atomic
def series_create(*, name: str = "", slug: str = "", **fields: Any) -> Series:
    return model_save(Series(slug=slug or unique_slug(Series, name)), {"name": name, **fields})


@transaction.atomic
def series_update(*, series: Series, **fields: Any) -> Series:
    return model_save(series, fields)


@transaction.atomic
def series_upsert(*, slug: str, **fields: Any) -> Series:
    return record_upsert(
        Series,
        slug=slug,
        create=series_create,
        update=lambda series, values: series_update(series=series, **values),
        fields=fields,
    )


# Events ---------------------------------------------------------------------------------


def _nested_set(event: Event, name: str, rows: Iterable[Mapping[str, Any]]) -> None:
    model = _NESTED[name]
    rows = [dict(row) for row in rows]
    if name == "questions":
        # Answers refer to questions by id, so a question keeps its row while its label does.
        labels = [str(row.get("label", "")).strip() for row in rows]
        kept = {q.label: q for q in event.questions.filter(label__in=labels)}
        event.questions.exclude(label__in=labels).delete()
    else:
        kept = {}
        getattr(event, name).all().delete()
    if name == "sponsors":
        from villagehub.organisations.models import Organisation

        for row in rows:
            slug = row.get("organisation")
            if isinstance(slug, str):
                row["organisation"] = Organisation.objects.filter(slug=slug).first()
                if row["organisation"] is None:
                    raise ValidationError(
                        {name: _("Unknown organisation: %(slug)s.") % {"slug": slug}}
                    )
    for position, row in enumerate(rows):
        instance = kept.get(str(row.get("label", "")).strip()) or model(event=event)
        instance.position = position
        try:
            model_save(instance, row)
        except ValidationError as error:
            raise ValidationError(
                {name: _("Row %(row)s: %(errors)s") % {"row": position + 1, "errors": error}}
            ) from None


def _nested_apply(event: Event, nested: Mapping[str, Any]) -> None:
    for name, rows in nested.items():
        if rows is not None:
            _nested_set(event, name, rows)
    strangers = event.host_representatives.exclude(community_id=event.host_community_id)
    if strangers.exists():
        raise ValidationError(
            {
                "host_representatives": _("%(names)s do not represent the host community.")
                % {"names": ", ".join(r.name for r in strangers)}
            }
        )


def _split(fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    nested = {name: fields.pop(name) for name in list(fields) if name in _NESTED}
    return fields, nested


@transaction.atomic
def event_create(*, title: str = "", slug: str = "", **fields: Any) -> Event:
    fields, nested = _split(fields)
    event = model_save(Event(slug=slug or unique_slug(Event, title)), {"title": title, **fields})
    _nested_apply(event, nested)
    event_reminders_schedule(event=event)
    event_opening_schedule(event=event)
    return event


def _differs(name: str, value: Any, before: Event) -> bool:
    """Whether a new value changes the field: an import gives times as text, and the same
    time in another zone is no change for calendars."""
    try:
        value = Event._meta.get_field(name).to_python(value)
    except ValidationError:
        return True  # model_save reports it
    return value != getattr(before, name)


@transaction.atomic
def event_update(*, event: Event, **fields: Any) -> Event:
    fields, nested = _split(fields)
    before = Event.objects.select_for_update().get(pk=event.pk) if event.pk else None
    if before and any(
        name in fields and _differs(name, fields[name], before) for name in _CALENDAR_FIELDS
    ):
        fields["sequence"] = before.sequence + 1
    old_capacity = before.capacity if before else None
    model_save(event, fields)
    _nested_apply(event, nested)
    if before is None:
        event_reminders_schedule(event=event)
        event_opening_schedule(event=event)
        return event
    if event.status != before.status and event.status in (
        Event.Status.CANCELLED,
        Event.Status.POSTPONED,
    ):
        from .tasks import event_change_notify

        _enqueue(event_change_notify, event.pk, event.sequence)
    if event.starts_at != before.starts_at or (
        event.status == Event.Status.PUBLISHED and before.status != Event.Status.PUBLISHED
    ):
        event_reminders_schedule(event=event)
    if event.registration_opens_at != before.registration_opens_at or (
        event.status == Event.Status.PUBLISHED and before.status != Event.Status.PUBLISHED
    ):
        event_opening_schedule(event=event)
    if event.capacity != old_capacity:
        _waitlist_promote(event)
    return event


@transaction.atomic
def event_upsert(*, slug: str, **fields: Any) -> Event:
    return record_upsert(
        Event,
        slug=slug,
        create=event_create,
        update=lambda event, values: event_update(event=event, **values),
        fields=fields,
    )


def event_reminders_schedule(*, event: Event, now=None) -> int:
    """Queue one deferred task per reminder. A task whose start time has since changed does
    nothing when it runs (the change queued new ones), so rescheduling needs no cleanup."""
    from django_tasks import default_task_backend

    from .tasks import event_reminder_send

    if (
        event.status != Event.Status.PUBLISHED
        or not event.registration_open
        or event.starts_at is None
        or not default_task_backend.supports_defer
    ):
        return 0
    now = now or timezone.now()
    queued = 0
    for minutes in event.reminders:
        run_after = event.starts_at - timedelta(minutes=minutes)
        if run_after > now:
            task = event_reminder_send.using(run_after=run_after)
            transaction.on_commit(
                lambda task=task, minutes=minutes: task.enqueue(
                    event.pk, minutes, event.starts_at.isoformat()
                )
            )
            queued += 1
    return queued


# Registrations --------------------------------------------------------------------------


def _answers_clean(event: Event, answers: Mapping[str, Any]) -> dict[str, str]:
    cleaned, errors = {}, []
    for question in event.questions.all():
        value = str(answers.get(str(question.pk), "") or "").strip()
        if question.kind == Question.Kind.CHOICE and value and value not in question.choice_list:
            errors.append(_("“%(question)s”: choose one of the answers.") % {"question": question})
        elif question.kind == Question.Kind.YES_NO and value and value not in ("yes", "no"):
            errors.append(_("“%(question)s”: answer yes or no.") % {"question": question})
        elif question.required and not value:
            errors.append(_("“%(question)s” needs an answer.") % {"question": question})
        if value:
            cleaned[str(question.pk)] = value[:2000]
    if errors:
        raise ValidationError({"answers": errors})
    return cleaned


def _places_taken(event: Event) -> int:
    return event.registrations.filter(status=Registration.Status.CONFIRMED).count()


def _status_for_new(event: Event) -> str:
    if event.requires_approval:
        return Registration.Status.PENDING
    if event.capacity is None or _places_taken(event) < event.capacity:
        return Registration.Status.CONFIRMED
    if event.waiting_list:
        return Registration.Status.WAITLISTED
    raise RegistrationRefused("full")


def _notify(registration: Registration, kind: str, key: str = "") -> None:
    from .tasks import registration_notify

    _enqueue(registration_notify, registration.pk, kind, key)


_STATUS_NOTICE = {
    Registration.Status.CONFIRMED: Notice.Kind.CONFIRMATION,
    Registration.Status.WAITLISTED: Notice.Kind.WAITLISTED,
    Registration.Status.PENDING: Notice.Kind.PENDING,
}


@transaction.atomic
def registration_create(
    *,
    event: Event,
    name: str,
    email: str,
    language: str,
    privacy_consent: bool,
    privacy_notice_version: str,
    answers: Mapping[str, Any] | None = None,
    now=None,
    **fields: Any,
) -> tuple[Registration, bool]:
    """Register a person, or return their existing registration (created is False).

    The event row is locked first, so that concurrent registrations are counted one after
    the other and the event never holds more confirmed people than it has places.
    """
    event = Event.objects.select_for_update().get(pk=event.pk)
    # The time is taken once the lock is held: the waiting list's order is the order in
    # which registrations were written, so a position once told never changes for the worse.
    now = now or timezone.now()
    state = event.registration_state(now)
    if state != "open":
        raise RegistrationRefused(state)
    if not privacy_consent:
        raise ValidationError({"privacy_consent": _("Please accept the privacy notice.")})
    email = email.strip().lower()
    existing = Registration.objects.filter(
        event=event, email=email, status__in=Registration.ACTIVE
    ).first()
    if existing:
        # Registering again sends the personal link again, at most every few minutes.
        window = int(now.timestamp() // (_LINK_RESEND_MINUTES * 60))
        _notify(existing, Notice.Kind.LINK, str(window))
        return existing, False
    status = _status_for_new(event)
    values = {
        "status": status,
        "name": name.strip(),
        "email": email,
        "language": language,
        "answers": _answers_clean(event, answers or {}),
        "privacy_consent_at": now,
        "privacy_notice_version": privacy_notice_version,
        "queued_at": now,
        **fields,
    }
    # Always a new row, also after a cancellation: see Registration.ACTIVE.
    registration = model_save(Registration(event=event), values)
    _notify(registration, _STATUS_NOTICE[status])
    if (
        status == Registration.Status.CONFIRMED
        and event.capacity is not None
        and _places_taken(event) >= event.capacity
    ):
        # The registration that took the last place names the occasion.
        event_organisers_tell(event=event, kind=NoticeKind.EVENT_FULL, key=str(registration.pk))
    return registration, True


@transaction.atomic
def registration_update(*, registration: Registration, **fields: Any) -> Registration:
    """Change a person's own details; the e-mail address names the registration."""
    allowed = {"name", "organisation", "community", "country", "role", "language"}
    allowed |= {"contact_consent", "answers"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"registration_update cannot change {sorted(unknown)}")
    if "answers" in fields:
        fields["answers"] = _answers_clean(registration.event, fields["answers"])
    return model_save(registration, fields)


def _waitlist_promote(event: Event) -> list[Registration]:
    """Offer free places to the people waiting, in the order they joined the list."""
    if event.capacity is None:
        free = None
    else:
        free = event.capacity - _places_taken(event)
        if free <= 0:
            return []
    waiting = event.registrations.filter(status=Registration.Status.WAITLISTED).order_by(
        "queued_at", "pk"
    )
    promoted = list(waiting if free is None else waiting[:free])
    for registration in promoted:
        registration.status = Registration.Status.CONFIRMED
        registration.save(update_fields=["status", "updated_at"])
        _notify(registration, Notice.Kind.PROMOTED)
    if promoted:
        event_organisers_tell(event=event, kind=NoticeKind.WAITLIST_MOVED, key=str(promoted[-1].pk))
    return promoted


def _cancel(registration: Registration, *, notify: bool) -> Registration:
    """Cancel inside the caller's transaction, the event row locked first: the place goes to
    the first person waiting."""
    event = Event.objects.select_for_update().get(pk=registration.event_id)
    registration = Registration.objects.get(pk=registration.pk)
    if registration.status not in Registration.ACTIVE:
        return registration
    held_place = registration.status == Registration.Status.CONFIRMED
    registration.status = Registration.Status.CANCELLED
    registration.save(update_fields=["status", "updated_at"])
    if notify:
        _notify(registration, Notice.Kind.CANCELLED, registration.updated_at.isoformat())
    if held_place:
        _waitlist_promote(event)
    return registration


@transaction.atomic
def registration_cancel(*, registration: Registration) -> Registration:
    return _cancel(registration, notify=True)


@transaction.atomic
def registration_approve(*, registration: Registration) -> Registration:
    event = Event.objects.select_for_update().get(pk=registration.event_id)
    registration = Registration.objects.get(pk=registration.pk)
    if registration.status != Registration.Status.PENDING:
        return registration
    if event.capacity is None or _places_taken(event) < event.capacity:
        registration.status = Registration.Status.CONFIRMED
    else:
        registration.status = Registration.Status.WAITLISTED
        registration.queued_at = timezone.now()
    registration.save(update_fields=["status", "queued_at", "updated_at"])
    _notify(registration, _STATUS_NOTICE[registration.status])
    return registration


@transaction.atomic
def registration_decline(*, registration: Registration) -> Registration:
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != Registration.Status.PENDING:
        return registration
    registration.status = Registration.Status.DECLINED
    registration.save(update_fields=["status", "updated_at"])
    _notify(registration, Notice.Kind.DECLINED)
    return registration


@transaction.atomic
def attendance_set(*, registration: Registration, attended: bool, now=None) -> Registration:
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event")
        .get(pk=registration.pk)
    )
    if attended and not registration.event.check_in_open(now):
        raise CheckInRefused("not_open")
    registration.attended = attended
    registration.attended_at = timezone.now() if attended else None
    registration.save(update_fields=["attended", "attended_at", "updated_at"])
    return registration


# Notifications ----------------------------------------------------------------------------


def notice_claim(*, registration: Registration, kind: str, key: str = "") -> bool:
    """Record that this notice goes out; False if it already went (or is going) out."""
    try:
        with transaction.atomic():
            Notice.objects.create(registration=registration, kind=kind, key=key)
    except IntegrityError:
        return False
    return True


def notices_claim_batch(
    *, registrations: QuerySet[Registration], kind: str, key: str = "", size: int = 500
) -> list[Registration]:
    """Claim the next batch of registrations that have not had this notice.

    The rows are locked (skipping rows another worker holds) and the notices recorded in
    one transaction, so two workers never claim the same person; the caller sends the
    e-mails after the commit: at most once, never twice.
    """
    with transaction.atomic():
        batch = list(
            registrations.exclude(
                pk__in=Notice.objects.filter(kind=kind, key=key).values("registration_id")
            )
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")[:size]
        )
        Notice.objects.bulk_create(
            [Notice(registration=r, kind=kind, key=key) for r in batch], ignore_conflicts=True
        )
    return batch


@transaction.atomic
def event_feedback_request(*, event: Event, now=None) -> None:
    from .tasks import event_feedback_invite

    if not event.has_ended(now):
        raise FeedbackRefused("not_ended")

    _enqueue(event_feedback_invite, event.pk)


def feedback_remind_due(event: Event) -> QuerySet[Registration]:
    """Attendees who were sent the survey, have not answered and have not been reminded."""
    notices = Notice.objects.filter(registration=OuterRef("pk"))
    return (
        event.registrations.filter(attended=True)
        .filter(Exists(notices.filter(kind=Notice.Kind.FEEDBACK)))
        .exclude(Exists(notices.filter(kind=Notice.Kind.SURVEY_REMINDER)))
        .exclude(Exists(Feedback.objects.filter(registration=OuterRef("pk"))))
        .exclude(email__endswith=ERASED_DOMAIN)
    )


@transaction.atomic
def event_feedback_remind(*, event: Event, now=None) -> int:
    """Queue one reminder to each attendee who was asked and has not answered: once per
    person, however often this is called (see `Notice`). Returns how many are due."""
    from .tasks import event_feedback_remind_send

    if not event.has_ended(now):
        raise FeedbackRefused("not_ended")
    asked = Notice.objects.filter(registration__event=event, kind=Notice.Kind.FEEDBACK)
    if not asked.exists():
        raise FeedbackRefused("not_sent")
    due = feedback_remind_due(event).count()
    if not due:
        raise FeedbackRefused("reminded")
    _enqueue(event_feedback_remind_send, event.pk)
    return due


# Feedback -------------------------------------------------------------------------------


@transaction.atomic
def feedback_create(*, registration: Registration, now=None, **fields: Any) -> Feedback:
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event")
        .get(pk=registration.pk)
    )
    if not registration.event.has_ended(now):
        raise FeedbackRefused("not_ended")
    if not registration.attended:
        raise FeedbackRefused("not_attended")
    if Feedback.objects.filter(registration=registration).exists():
        raise FeedbackRefused("answered")
    return model_save(Feedback(event_id=registration.event_id, registration=registration), fields)


@transaction.atomic
def event_feedback_publish(*, event: Event, published: bool, now=None) -> Event:
    if published and not event.has_ended(now):
        raise FeedbackRefused("not_ended")
    Event.objects.filter(pk=event.pk).update(feedback_published=published)
    event.feedback_published = published
    return event


def registrations_active(event: Event) -> QuerySet[Registration]:
    return event.registrations.filter(status__in=Registration.ACTIVE)


def registrations_confirmed(event: Event) -> QuerySet[Registration]:
    return event.registrations.filter(Q(status=Registration.Status.CONFIRMED))


# Personal data ----------------------------------------------------------------------------

ERASED_NAME = "—"


def _anonymise(registrations: QuerySet[Registration]) -> int:
    """Erase the personal data of these registrations, keeping what the totals need
    (event, status, attendance, the survey's scores without its free text)."""
    ids = list(registrations.values_list("pk", flat=True))
    Feedback.objects.filter(registration_id__in=ids).update(
        registration=None, most_useful="", next_topics=""
    )
    for pk in ids:
        Registration.objects.filter(pk=pk).update(
            name=ERASED_NAME,
            email=f"erased-{pk}{ERASED_DOMAIN}",
            organisation="",
            community="",
            country="",
            role="",
            answers={},
            contact_consent=False,
            updated_at=timezone.now(),
        )
    return len(ids)


@transaction.atomic
def registrations_erase(*, email: str) -> int:
    """Erase every registration made with this e-mail address, and the mail sent to it;
    registrations for events still to come give up their places."""
    from villagehub.core.models import OutboxMessage

    email = email.strip().lower()
    OutboxMessage.objects.filter(to__icontains=email).delete()
    registrations = Registration.objects.filter(email=email)
    for registration in registrations.filter(status__in=Registration.ACTIVE).select_related(
        "event"
    ):
        if not registration.event.has_ended():
            # The place goes to the first person waiting; nobody is written to.
            _cancel(registration, notify=False)
    return _anonymise(registrations)


@transaction.atomic
def registrations_anonymise_expired(*, months: int, now=None) -> int:
    """Anonymise the registrations of events that ended more than `months` months ago."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=round(months * 30.44))
    expired = Registration.objects.filter(
        Q(event__ends_at__lt=cutoff) | Q(event__ends_at__isnull=True, event__starts_at__lt=cutoff)
    ).exclude(email__endswith=ERASED_DOMAIN)
    return _anonymise(expired)
