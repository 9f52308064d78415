"""Writes for the events programme: the one path for forms, admin, imports and tasks."""

import datetime
from collections.abc import Iterable, Mapping
from datetime import timedelta
from decimal import Decimal
from functools import partial
from typing import Any, TypedDict, Unpack, cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Field, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks.base import Task

from villagehub.communities.models import Community, Network, Representative
from villagehub.core.models import CONTENT_LANGUAGE_CODES
from villagehub.core.services import model_save, record_upsert, unique_slug
from villagehub.notices.models import Kind as NoticeKind
from villagehub.notices.selectors import coordinators_of, path_for
from villagehub.notices.services import notices_create, notices_send
from villagehub.organisations.models import Organisation
from villagehub.practices.models import Practice
from villagehub.taxonomy.models import Goal, Theme

from .models import (
    ERASED_DOMAIN,
    Event,
    Feedback,
    HostRequest,
    Material,
    Notice,
    Photo,
    Question,
    Registration,
    Series,
    Session,
    Speaker,
    SpeakerConsent,
    Sponsor,
)

# Fields whose change makes calendars show a new revision (RFC 5545 SEQUENCE).
_CALENDAR_FIELDS = (
    "title", "starts_at", "ends_at", "date_precision", "time_zone", "venue_name",
    "venue_address", "city", "country", "online_url", "status",
)  # fmt: skip
# Changes the registered people are told of (with a new calendar entry).
_MOVE_FIELDS = (
    "starts_at", "ends_at", "date_precision", "time_zone", "venue_name", "venue_address",
    "city", "country", "online_url",
)  # fmt: skip
_NESTED: dict[str, type[Session | Sponsor | Material | Question]] = {
    "sessions": Session,
    "sponsors": Sponsor,
    "materials": Material,
    "questions": Question,
}
_LINK_RESEND_MINUTES = 10


class SeriesFields(TypedDict, total=False):
    """What `series_create` and `series_upsert` may set; a field left out keeps its value
    (or the model's default)."""

    name: str
    description: str
    language: str
    translations: dict[str, dict[str, str]]
    source: str
    networks: Iterable[Network]
    organisations: Iterable[Organisation]
    organisers: Iterable[User]


class SeriesChanges(SeriesFields, total=False):
    """What `series_update` may change: the fields and the slug (the back office edits it)."""

    slug: str


class EventFields(TypedDict, total=False):
    """What `event_create` and `event_upsert` may set; a field left out keeps its value (or
    the model's default). Text times and coordinates are parsed by validation (imports). The
    sessions, sponsors, materials and questions are rows that replace the stored ones."""

    title: str
    kind: str
    series: Series | None
    number: int | None
    status: str
    summary: str
    description: str
    objectives: str
    host_community: Community | None
    languages: list[str]
    time_zone: str
    starts_at: datetime.datetime | str | None
    ends_at: datetime.datetime | str | None
    date_precision: str
    date_note: str
    venue_name: str
    venue_address: str
    city: str
    country: str
    latitude: Decimal | float | str | None
    longitude: Decimal | float | str | None
    online_url: str
    low_bandwidth: str
    capacity: int | None
    registration_open: bool
    registration_opens_at: datetime.datetime | str | None
    registration_closes_at: datetime.datetime | str | None
    waiting_list: bool
    requires_approval: bool
    waitlist_offers: bool
    waitlist_offer_hours: int
    reminder_minutes: list[int]
    feedback_published: bool
    check_in_minutes_before: int | None
    report_summary: str
    report_key_points: str
    report_published: bool
    recording_published: bool
    language: str
    translations: dict[str, dict[str, str]]
    source: str
    organiser_networks: Iterable[Network]
    organiser_organisations: Iterable[Organisation]
    organisers: Iterable[User]
    host_representatives: Iterable[Representative]
    themes: Iterable[Theme]
    goals: Iterable[Goal]
    practices: Iterable[Practice]
    sessions: Iterable[Mapping[str, Any]] | None
    sponsors: Iterable[Mapping[str, Any]] | None
    materials: Iterable[Mapping[str, Any]] | None
    questions: Iterable[Mapping[str, Any]] | None


class EventChanges(EventFields, total=False):
    """What `event_update` may change: the fields and the slug (the back office edits it)."""

    slug: str


class RegistrationDetails(TypedDict, total=False):
    """A person's own details beside their name, e-mail address, language and answers."""

    organisation: str
    community: str
    country: str
    role: str
    contact_consent: bool
    consent_recording: bool
    consent_publish: bool
    plain_text_reminders: bool


class RegistrationChanges(RegistrationDetails, total=False):
    """What `registration_update` may change; the e-mail address names the registration."""

    name: str
    language: str
    answers: Mapping[str, Any]


class FeedbackAnswers(TypedDict, total=False):
    """A participant's answers to the survey after an event."""

    would_attend_again: bool
    recommend: int
    satisfaction: int
    most_useful: str
    next_topics: str


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


class OfferRefused(Exception):
    """An offered place cannot be accepted; `code` names why."""

    MESSAGES = {
        "expired": _("The time to accept this place has passed: it went to the next person."),
        "not_offered": _("No place is being offered to you at the moment."),
    }

    def __init__(self, code: str):
        self.code = code
        super().__init__(str(self.MESSAGES[code]))


class ReportRefused(Exception):
    MESSAGES = {
        "not_ended": _("The report can be published once the event has ended."),
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


def _enqueue(task: Task[..., Any], *args: Any) -> None:
    # Tasks read what the transaction wrote, so they are queued only once it commits.
    transaction.on_commit(partial(task.enqueue, *args))


def event_organisers_tell(*, event: Event, kind: str, key: str) -> int:
    """A notice to the people who organise this event: the coordinators of its networks and
    its series', and the people named as organisers of either; once per occasion (`key`),
    with the link to its organiser page."""
    networks = list(event.organiser_networks.all())
    people = list(event.organisers.all())
    if (series := event.series) is not None:
        networks += list(series.networks.all())
        people += list(series.organisers.all())
    users = {user.pk: user for user in [*coordinators_of(networks=networks), *people]}
    return len(
        notices_send(
            users=users.values(),
            kind=kind,
            subject=event.title,
            path=path_for("events:manage", event.slug),
            key=f"{kind}-{event.pk}-{key}",
        )
    )


def event_opening_schedule(*, event: Event, now: datetime.datetime | None = None) -> bool:
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
def series_create(*, slug: str = "", **fields: Unpack[SeriesFields]) -> Series:
    name = fields.pop("name", "")
    return model_save(Series(slug=slug or unique_slug(Series, name)), {"name": name, **fields})


@transaction.atomic
def series_update(*, series: Series, **fields: Unpack[SeriesChanges]) -> Series:
    return model_save(series, fields)


@transaction.atomic
def series_upsert(*, slug: str, **fields: Unpack[SeriesFields]) -> Series:
    return record_upsert(
        Series,
        slug=slug,
        create=series_create,
        update=lambda series, values: series_update(series=series, **values),
        fields=fields,
    )


# Events ---------------------------------------------------------------------------------


def _nested_set(event: Event, name: str, given: Iterable[Mapping[str, Any]]) -> None:
    model = _NESTED[name]
    rows = [dict(row) for row in given]
    if name == "sessions":
        _sessions_set(event, rows)
        return
    if name == "questions":
        # Answers refer to questions by id, so a question keeps its row while its label does.
        labels = [str(row.get("label", "")).strip() for row in rows]
        kept = {q.label: q for q in event.questions.filter(label__in=labels)}
        event.questions.exclude(label__in=labels).delete()
    else:
        kept = {}
        getattr(event, name).all().delete()
    if name == "sponsors":
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
        try:
            model_save(instance, {"position": position, **row})
        except ValidationError as error:
            raise ValidationError(
                {name: _("Row %(row)s: %(errors)s") % {"row": position + 1, "errors": error}}
            ) from None


def _sessions_set(event: Event, rows: list[dict[str, Any]]) -> None:
    """Sessions keep their rows (by id, else by title), so that the speakers of a session
    survive an edit that does not give them (the back office, imports)."""
    existing = {s.pk: s for s in event.sessions.all()}
    by_title = {s.title: s for s in existing.values()}
    kept = []
    for position, row in enumerate(rows):
        people = row.pop("people", None)
        pk = row.pop("id", None)
        session = existing.get(pk) or by_title.get(str(row.get("title", "")).strip())
        if session is None or session.pk in kept:
            session = Session(event=event)
        session.position = position
        try:
            model_save(session, row)
        except ValidationError as error:
            raise ValidationError(
                {"sessions": _("Row %(row)s: %(errors)s") % {"row": position + 1, "errors": error}}
            ) from None
        kept.append(session.pk)
        if people is not None:
            _speakers_set(session, people, position)
    event.sessions.exclude(pk__in=kept).delete()


def _speakers_set(session: Session, people: Iterable[Mapping[str, Any]], row: int) -> None:
    session.people.all().delete()
    for position, person in enumerate(people):
        photo = person.get("photo") or ""
        try:
            # A photo kept from before is given by its stored file (a name, not an upload).
            model_save(
                Speaker(session=session, position=position),
                {**person, "photo": getattr(photo, "name", photo) if _stored(photo) else photo},
            )
        except ValidationError as error:
            raise ValidationError(
                {
                    "sessions": _("Row %(row)s, speaker %(speaker)s: %(errors)s")
                    % {"row": row + 1, "speaker": position + 1, "errors": error}
                }
            ) from None


def _stored(photo: Any) -> bool:
    return isinstance(photo, str) or getattr(photo, "_committed", False) is True


def _nested_apply(event: Event, nested: Mapping[str, Any]) -> None:
    for name, rows in nested.items():
        if rows is not None:
            _nested_set(event, name, rows)
    strangers = event.host_representatives.all()
    if event.host_community_id is not None:
        strangers = strangers.exclude(community_id=event.host_community_id)
    if strangers.exists():
        raise ValidationError(
            {
                "host_representatives": _("%(names)s do not represent the host community.")
                % {"names": ", ".join(r.name for r in strangers)}
            }
        )


def _split(fields: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    own = {name: value for name, value in fields.items() if name not in _NESTED}
    nested = {name: value for name, value in fields.items() if name in _NESTED}
    return own, nested


@transaction.atomic
def event_create(*, slug: str = "", **fields: Unpack[EventFields]) -> Event:
    title = fields.pop("title", "")
    own, nested = _split(fields)
    event = model_save(Event(slug=slug or unique_slug(Event, title)), {"title": title, **own})
    _nested_apply(event, nested)
    event_reminders_schedule(event=event)
    event_opening_schedule(event=event)
    return event


def _differs(name: str, value: Any, before: Event) -> bool:
    """Whether a new value changes the field: an import gives times as text, and the same
    time in another zone is no change for calendars."""
    try:
        value = cast(Field[Any, Any], Event._meta.get_field(name)).to_python(value)
    except ValidationError:
        return True  # model_save reports it
    return bool(value != getattr(before, name))


@transaction.atomic
def event_update(*, event: Event, **changes: Unpack[EventChanges]) -> Event:
    fields, nested = _split(changes)
    before = Event.objects.select_for_update().get(pk=event.pk) if event.pk else None
    if before and any(
        name in fields and _differs(name, fields[name], before) for name in _CALENDAR_FIELDS
    ):
        fields["sequence"] = before.sequence + 1
    moved = before is not None and any(
        name in fields and _differs(name, fields[name], before) for name in _MOVE_FIELDS
    )
    old_capacity = before.capacity if before else None
    model_save(event, fields)
    _nested_apply(event, nested)
    if before is None:
        event_reminders_schedule(event=event)
        event_opening_schedule(event=event)
        return event
    if (
        event.status != before.status
        and event.status in (Event.Status.CANCELLED, Event.Status.POSTPONED)
    ) or (moved and event.status == before.status == Event.Status.PUBLISHED):
        from .tasks import event_change_notify

        # Keyed by the revision: each change is told once, with its calendar entry.
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
def event_upsert(*, slug: str, **fields: Unpack[EventFields]) -> Event:
    return record_upsert(
        Event,
        slug=slug,
        create=event_create,
        update=lambda event, values: event_update(event=event, **values),
        fields=fields,
    )


def series_next_number(series: Series | None) -> int | None:
    if series is None:
        return None
    # Max, not an ordering: PostgreSQL sorts NULL (events without a number) first when
    # descending, SQLite last.
    last = series.events.aggregate(last=Max("number"))["last"]
    return (last or 0) + 1


# What a copy of an event does not take over: its identity, its state and what it left.
_NOT_COPIED = {
    "id", "slug", "status", "sequence", "number", "created_at", "updated_at",
    "feedback_published", "source",
}  # fmt: skip


@transaction.atomic
def event_duplicate(*, event: Event) -> Event:
    """A draft copy of an event, numbered next in its series, with its agenda and speakers,
    questions and sponsors (not its registrations, materials or practices)."""
    fields = {
        f.name: getattr(event, f.name)
        for f in Event._meta.concrete_fields
        if f.name not in _NOT_COPIED and f.editable
    }
    for name in ("organiser_networks", "organiser_organisations", "organisers", "themes",
                 "goals", "host_representatives"):  # fmt: skip
        fields[name] = list(getattr(event, name).all())
    fields["sessions"] = [
        {
            "title": s.title,
            "starts_at": s.starts_at,
            "ends_at": s.ends_at,
            "description": s.description,
            "speakers": s.speakers,
            "language": s.language,
            "translations": s.translations,
            "people": [
                {
                    "name": p.name,
                    "role": p.role,
                    "organisation": p.organisation,
                    "photo": p.photo.name,
                    "photo_description": p.photo_description,
                    "publish_consent": p.publish_consent,
                }
                for p in s.people.all()
            ],
        }
        for s in event.sessions.all()
    ]
    fields["questions"] = [
        {"label": q.label, "kind": q.kind, "choices": q.choices, "required": q.required}
        for q in event.questions.all()
    ]
    fields["sponsors"] = [
        {"name": p.name, "organisation": p.organisation, "tier": p.tier, "website": p.website}
        for p in event.sponsors.all()
    ]
    fields["number"] = series_next_number(event.series)
    return event_create(status=Event.Status.DRAFT, **fields)


@transaction.atomic
def event_status_set(*, event: Event, status: str) -> Event:
    """Publish, postpone or cancel: the registered people are told of a postponement or a
    cancellation (see `event_update`)."""
    return event_update(event=event, status=status)


def event_reminders_schedule(*, event: Event, now: datetime.datetime | None = None) -> int:
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
                partial(task.enqueue, event.pk, minutes, event.starts_at.isoformat())
            )
            queued += 1
    return queued


# Offers to host a café --------------------------------------------------------------------


class HostRequestRefused(Exception):
    MESSAGES = {
        "decided": _("This offer has already been decided."),
        "reason": _("Say why the offer is declined: the proposer reads it."),
    }

    def __init__(self, code: str):
        self.code = code
        super().__init__(str(self.MESSAGES[code]))


@transaction.atomic
def host_request_create(
    *,
    series: Series,
    community: Community,
    proposer: User,
    date_ideas: str,
    theme: str,
    speakers: str = "",
    language: str = "en",
) -> HostRequest:
    request = model_save(
        HostRequest(series=series, community=community, proposer=proposer),
        {
            "date_ideas": date_ideas.strip(),
            "theme": theme.strip(),
            "speakers": speakers.strip(),
            "language": language,
        },
    )
    notices_create(
        networks=series.networks.all(),
        kind=NoticeKind.HOST_REQUEST,
        subject=f"{community.name}: {request.theme} ({series.name})",
        path=path_for("events:host-request", request.pk),
    )
    return request


def _host_request_decided(request: HostRequest) -> None:
    from .tasks import host_request_notify

    _enqueue(host_request_notify, request.pk)


@transaction.atomic
def host_request_accept(*, request: HostRequest) -> Event:
    """Take the offer into the programme: a draft café of the series, numbered next, hosted
    by the community, with the proposed theme, dates and speakers to start from."""
    request = HostRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != HostRequest.Status.PENDING:
        raise HostRequestRefused("decided")
    series = request.series
    event = event_create(
        title=request.theme,
        kind=Event.Kind.CAFE,
        status=Event.Status.DRAFT,
        series=series,
        number=series_next_number(series),
        host_community=request.community,
        organiser_networks=list(series.networks.all()),
        date_precision=Event.DatePrecision.UNKNOWN,
        date_note=request.date_ideas.replace("\n", " ")[:200],
        language=request.language if request.language in CONTENT_LANGUAGE_CODES else "en",
        sessions=[{"title": request.theme, "speakers": request.speakers}],
    )
    request.status = HostRequest.Status.ACCEPTED
    request.event = event
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "event", "decided_at", "updated_at"])
    _host_request_decided(request)
    return event


@transaction.atomic
def host_request_decline(*, request: HostRequest, reason: str) -> HostRequest:
    request = HostRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != HostRequest.Status.PENDING:
        raise HostRequestRefused("decided")
    if not reason.strip():
        raise HostRequestRefused("reason")
    request.status = HostRequest.Status.DECLINED
    request.decline_reason = reason.strip()
    request.decided_at = timezone.now()
    request.full_clean()
    request.save(update_fields=["status", "decline_reason", "decided_at", "updated_at"])
    _host_request_decided(request)
    return request


# Registrations --------------------------------------------------------------------------


def _answers_clean(event: Event, answers: Mapping[str, Any]) -> dict[str, str | list[str]]:
    cleaned: dict[str, str | list[str]] = {}
    errors = []
    for question in event.questions.all():
        raw = answers.get(str(question.pk), "")
        if question.kind == Question.Kind.MULTIPLE:
            # Several answers are kept as a list, in the order the question offers them.
            given = {str(v).strip() for v in (raw if isinstance(raw, list | tuple) else [raw])}
            given.discard("")
            if given - set(question.choice_list):
                errors.append(
                    _("“%(question)s”: choose among the answers.") % {"question": question}
                )
            elif question.required and not given:
                errors.append(_("“%(question)s” needs an answer.") % {"question": question})
            elif given:
                cleaned[str(question.pk)] = [c for c in question.choice_list if c in given]
            continue
        value = str(raw or "").strip()
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
    return event.registrations.filter(status__in=Registration.HOLDING).count()


def _status_for_new(event: Event) -> Registration.Status:
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
    now: datetime.datetime | None = None,
    **fields: Unpack[RegistrationDetails],
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
    if event.waitlist_offers:
        # A lapsed offer frees its place before this registration is counted.
        _offers_expire(event, now)
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
def registration_update(
    *,
    registration: Registration,
    now: datetime.datetime | None = None,
    **changes: Unpack[RegistrationChanges],
) -> Registration:
    """Change a person's own details; the e-mail address names the registration."""
    fields: dict[str, Any] = dict(changes)
    # Checked at run time too: forms and imports hand over plain dictionaries.
    unknown = set(fields) - RegistrationChanges.__optional_keys__
    if unknown:
        raise TypeError(f"registration_update cannot change {sorted(unknown)}")
    if "answers" in fields:
        if not registration.event.answers_editable(now):
            if fields["answers"] != registration.answers:
                raise ValidationError(
                    {"answers": _("Registration has closed: the answers can no longer change.")}
                )
        else:
            fields["answers"] = _answers_clean(registration.event, fields["answers"])
    return model_save(registration, fields)


def _offer_deadline(event: Event, now: datetime.datetime) -> datetime.datetime:
    deadline = now + timedelta(hours=event.waitlist_offer_hours)
    if event.starts_at and now < event.starts_at < deadline:
        return event.starts_at  # an offer is no use once the event has begun
    return deadline


def _waitlist_promote(event: Event, now: datetime.datetime | None = None) -> list[Registration]:
    """Give free places to the people waiting, in the order they joined the list: at once,
    or as offers that each hold the place for a set time (`Event.waitlist_offers`)."""
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
    now = now or timezone.now()
    for registration in promoted:
        if event.waitlist_offers:
            registration.status = Registration.Status.OFFERED
            registration.offer_expires_at = _offer_deadline(event, now)
            registration.save(update_fields=["status", "offer_expires_at", "updated_at"])
            _notify(registration, Notice.Kind.OFFER, registration.offer_expires_at.isoformat())
            _offer_expiry_schedule(registration)
        else:
            registration.status = Registration.Status.CONFIRMED
            registration.save(update_fields=["status", "updated_at"])
            _notify(registration, Notice.Kind.PROMOTED)
    if promoted:
        event_organisers_tell(event=event, kind=NoticeKind.WAITLIST_MOVED, key=str(promoted[-1].pk))
    return promoted


def _offer_expiry_schedule(registration: Registration) -> None:
    """A deferred task passes the place on when the offer lapses; should it be lost, the
    periodic sweep (`tasks.waitlist_offers_sweep`) and the next registration do it."""
    from django_tasks import default_task_backend

    from .tasks import waitlist_offer_expire

    if not default_task_backend.supports_defer:
        return
    task = waitlist_offer_expire.using(run_after=registration.offer_expires_at)
    transaction.on_commit(lambda: task.enqueue(registration.event_id))


def _offers_expire(event: Event, now: datetime.datetime) -> int:
    """Within the caller's transaction, the event row locked: lapsed offers end (the person
    is told) and their places go to the next people waiting."""
    lapsed = list(
        event.registrations.filter(
            status=Registration.Status.OFFERED, offer_expires_at__lte=now
        ).order_by("offer_expires_at", "pk")
    )
    for registration in lapsed:
        registration.status = Registration.Status.CANCELLED
        registration.save(update_fields=["status", "updated_at"])
        # Filtered on it: an offer always holds its place until a time.
        expired_at = cast(datetime.datetime, registration.offer_expires_at)
        _notify(registration, Notice.Kind.OFFER_EXPIRED, expired_at.isoformat())
    if lapsed:
        _waitlist_promote(event, now)
    return len(lapsed)


@transaction.atomic
def event_offers_expire(*, event: Event, now: datetime.datetime | None = None) -> int:
    event = Event.objects.select_for_update().get(pk=event.pk)
    return _offers_expire(event, now or timezone.now())


def waitlist_offers_expire(*, now: datetime.datetime | None = None) -> int:
    """End every lapsed offer, event by event (each in its own transaction)."""
    now = now or timezone.now()
    ids = (
        Registration.objects.filter(status=Registration.Status.OFFERED, offer_expires_at__lte=now)
        .order_by()
        .values_list("event_id", flat=True)
        .distinct()
    )
    return sum(event_offers_expire(event=Event(pk=pk), now=now) for pk in list(ids))


def registration_offer_accept(
    *, registration: Registration, now: datetime.datetime | None = None
) -> Registration:
    """Take an offered place. Too late, the lapsed offer is ended (and its place passed on)
    before the refusal is raised, so the refusal does not undo it."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=registration.event_id)
        registration = Registration.objects.get(pk=registration.pk)
        now = now or timezone.now()
        if registration.status != Registration.Status.OFFERED:
            refusal = "not_offered"
        # An offered place is always held until a time (`_waitlist_promote` sets both).
        elif cast(datetime.datetime, registration.offer_expires_at) <= now:
            _offers_expire(event, now)
            refusal = "expired"
        else:
            refusal = None
            registration.status = Registration.Status.CONFIRMED
            registration.offer_expires_at = None
            registration.save(update_fields=["status", "offer_expires_at", "updated_at"])
            _notify(registration, Notice.Kind.CONFIRMATION)
    if refusal:
        raise OfferRefused(refusal)
    return registration


def _cancel(registration: Registration, *, notify: bool) -> Registration:
    """Cancel inside the caller's transaction, the event row locked first: the place goes to
    the first person waiting."""
    event = Event.objects.select_for_update().get(pk=registration.event_id)
    registration = Registration.objects.get(pk=registration.pk)
    if registration.status not in Registration.ACTIVE:
        return registration
    held_place = registration.status in Registration.HOLDING
    registration.status = Registration.Status.CANCELLED
    registration.offer_expires_at = None
    registration.save(update_fields=["status", "offer_expires_at", "updated_at"])
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
def attendance_set(
    *, registration: Registration, attended: bool, now: datetime.datetime | None = None
) -> Registration:
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
def event_feedback_request(*, event: Event, now: datetime.datetime | None = None) -> None:
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
def event_feedback_remind(*, event: Event, now: datetime.datetime | None = None) -> int:
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
def feedback_create(
    *,
    registration: Registration,
    now: datetime.datetime | None = None,
    **fields: Unpack[FeedbackAnswers],
) -> Feedback:
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
def event_feedback_publish(
    *, event: Event, published: bool, now: datetime.datetime | None = None
) -> Event:
    if published and not event.has_ended(now):
        raise FeedbackRefused("not_ended")
    Event.objects.filter(pk=event.pk).update(feedback_published=published)
    event.feedback_published = published
    return event


# Reports --------------------------------------------------------------------------------


@transaction.atomic
def event_report_update(
    *,
    event: Event,
    report_summary: str,
    report_key_points: str,
    practices: Iterable[Any],
    report_published: bool,
    recording_published: bool,
    translation_language: str = "",
    translation_summary: str = "",
    translation_key_points: str = "",
    now: datetime.datetime | None = None,
) -> Event:
    """What the event leaves behind: the organisers' summary and key points (with one more
    language's translation, if given), the practices it presented, and whether the report
    and its recording are public."""
    if (report_published or recording_published) and not event.has_ended(now):
        raise ReportRefused("not_ended")
    translations = {code: dict(texts) for code, texts in (event.translations or {}).items()}
    if translation_language:
        texts = translations.setdefault(translation_language, {})
        for field, text in (
            ("report_summary", translation_summary.strip()),
            ("report_key_points", translation_key_points.strip()),
        ):
            if text:
                texts[field] = text
            else:
                texts.pop(field, None)
        if not texts:
            del translations[translation_language]
    model_save(
        event,
        {
            "report_summary": report_summary.strip(),
            "report_key_points": report_key_points.strip(),
            "report_published": report_published,
            "recording_published": recording_published,
            "translations": translations,
        },
    )
    event.practices.set(practices)
    return event


def event_speakers(event: Event) -> list[str]:
    """Every speaker given as a line of the agenda, once, in agenda order."""
    return list(dict.fromkeys(s for session in event.sessions.all() for s in session.speaker_list))


@transaction.atomic
def speaker_person_consent_set(*, speaker: Speaker, recording: bool, publish: bool) -> Speaker:
    """What a person of the agenda agreed to for their talk."""
    return model_save(speaker, {"recording_consent": recording, "publish_consent": publish})


@transaction.atomic
def speaker_consent_set(
    *, event: Event, speaker: str, recording: bool, publish: bool
) -> SpeakerConsent:
    speaker = speaker.strip()
    if speaker not in event_speakers(event):
        raise ValidationError(
            {"speaker": _("%(name)s does not speak at this event.") % {"name": speaker}}
        )
    consent, _created = SpeakerConsent.objects.update_or_create(
        event=event, speaker=speaker, defaults={"recording": recording, "publish": publish}
    )
    return consent


@transaction.atomic
def photo_add(*, event: Event, image: Any, description: str) -> Photo:
    position = event.photos.count()
    return model_save(
        Photo(event=event, position=position),
        {"image": image, "description": description.strip()},
    )


@transaction.atomic
def photo_remove(*, photo: Photo) -> None:
    photo.image.delete(save=False)
    photo.delete()


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
            consent_recording=False,
            consent_publish=False,
            plain_text_reminders=False,
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
def registrations_anonymise_expired(*, months: int, now: datetime.datetime | None = None) -> int:
    """Anonymise the registrations of events that ended more than `months` months ago."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=round(months * 30.44))
    expired = Registration.objects.filter(
        Q(event__ends_at__lt=cutoff) | Q(event__ends_at__isnull=True, event__starts_at__lt=cutoff)
    ).exclude(email__endswith=ERASED_DOMAIN)
    return _anonymise(expired)
