"""Reads for the events programme: lists, calendars, personal links and survey results."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core import signing
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries.fields import Country
from icalendar import Calendar, Timezone
from icalendar import Event as CalendarEvent

from villagehub.accounts.selectors import networks_coordinated
from villagehub.communities.models import Network
from villagehub.core.filters import UNKNOWN_SLUG, PlaceFilterForm
from villagehub.core.models import CONTENT_LANGUAGES
from villagehub.core.text import xml_clean
from villagehub.core.types import AnyUser, User
from villagehub.practices.models import Practice

from .models import (
    ERASED_DOMAIN,
    REGISTRATION_LINK_MAX_AGE,
    Event,
    Feedback,
    HostRequest,
    Material,
    Notice,
    Question,
    Registration,
    Series,
    Session,
    Speaker,
)
from .statistics import MIN_ANSWERS, Estimate, mean_estimate, nps_estimate, share_estimate

_TOKEN_SALT = "villagehub.events.registration"  # noqa: S105 (a namespace, not a secret)
PUBLIC_STATUSES = (Event.Status.PUBLISHED, Event.Status.POSTPONED, Event.Status.CANCELLED)


# Lists ------------------------------------------------------------------------------------


class EventFilterForm(PlaceFilterForm):
    when = forms.ChoiceField(
        label=gettext_lazy("When"),
        required=False,
        choices=[("upcoming", gettext_lazy("Upcoming")), ("past", gettext_lazy("Past"))],
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False, choices=Event.Kind.choices)
    mode = forms.ChoiceField(
        label=gettext_lazy("Where"),
        required=False,
        choices=[("online", gettext_lazy("Online")), ("onsite", gettext_lazy("On site"))],
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"), required=False, choices=CONTENT_LANGUAGES
    )
    series = forms.SlugField(label=gettext_lazy("Series"), required=False)

    def clean_series(self) -> str:
        slug: str = self.cleaned_data["series"]
        if slug and not Series.objects.filter(slug=slug).exists():
            raise forms.ValidationError(gettext_lazy("there is no such series."), code=UNKNOWN_SLUG)
        return slug


def event_list_base() -> QuerySet[Event]:
    return Event.objects.filter(status__in=PUBLIC_STATUSES)


def _upcoming_q(now: datetime) -> Q:
    # An event is upcoming until it ends; events whose date is not known count as past.
    return Q(ends_at__gte=now) | Q(ends_at__isnull=True, starts_at__gte=now - timedelta(hours=12))


def event_list(*, filters: dict[str, Any], now: datetime | None = None) -> QuerySet[Event]:
    now = now or timezone.now()
    qs = event_list_base().select_related("series", "host_community")
    if filters.get("q"):
        words = filters["q"].split()
        for word in words[:8]:
            qs = qs.filter(
                Q(title__icontains=word)
                | Q(summary__icontains=word)
                | Q(city__icontains=word)
                | Q(host_community__name__icontains=word)
            )
    if filters.get("country"):
        qs = qs.filter(country=filters["country"].upper())
    if filters.get("theme"):
        qs = qs.filter(themes__slug=filters["theme"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("mode") == "online":
        qs = qs.exclude(online_url="")
    elif filters.get("mode") == "onsite":
        qs = qs.filter(Q(online_url="") | ~Q(venue_name=""))
    if filters.get("language"):
        qs = qs.alias(languages_text=Cast("languages", TextField())).filter(
            languages_text__contains=f'"{filters["language"]}"'
        )
    if filters.get("series"):
        qs = qs.filter(series__slug=filters["series"])
    if filters.get("when") == "upcoming":
        # NULL sorts first on SQLite and last on PostgreSQL: undated events go last on both
        # (and the API's keyset paging needs the place of NULL said).
        return qs.filter(_upcoming_q(now)).order_by(F("starts_at").asc(nulls_last=True), "pk")
    if filters.get("when") == "past":
        qs = qs.exclude(_upcoming_q(now))
    return qs.order_by(F("starts_at").desc(nulls_last=True), "-pk")


def event_upcoming(*, now: datetime | None = None) -> QuerySet[Event]:
    return event_list(filters={"when": "upcoming"}, now=now)


def event_detail(*, slug: str) -> Event:
    return (
        event_list_base()
        .select_related("series", "host_community")
        .prefetch_related(
            "sessions__people",
            "sponsors",
            "materials",
            "themes",
            "goals",
            "organiser_networks",
            "organiser_organisations",
            "host_representatives",
            "practices",
        )
        .get(slug=slug)
    )


def events_presenting(practice: Practice) -> list[Event]:
    """The public events at which a practice was presented, latest first."""
    return list(event_list_base().filter(practices=practice).order_by("-starts_at", "-pk"))


def event_report(*, slug: str) -> Event:
    """A public event whose report the organisers published."""
    return (
        event_list_base()
        .filter(report_published=True)
        .select_related("series", "host_community")
        .prefetch_related(
            "materials",
            "photos",
            "themes",
            "practices",
            "sessions__people",
            "speaker_consents",
        )
        .get(slug=slug)
    )


@dataclass(frozen=True)
class SessionShown:
    session: Session
    speakers: list[str]  # those who agreed that their name is published
    unnamed: int  # the others, counted but not named


def _person_line(person: Speaker) -> str:
    return ", ".join(part for part in (person.name, person.role, person.organisation) if part)


def speaker_lines(session: Session) -> list[str]:
    """The session's speakers given as lines of text ("name, affiliation"), leaving out
    those who are also listed as people of the session (their consent is on that row)."""
    people = {person.name.casefold() for person in session.people.all()}
    return [
        line
        for line in session.speaker_list
        if line.split(",", 1)[0].strip().casefold() not in people
    ]


def report_sessions(event: Event) -> list[SessionShown]:
    """The agenda as the report may show it: a speaker is named only with their consent,
    whether they are a person of the session (`Speaker.publish_consent`) or a line of its
    speakers (`SpeakerConsent.publish`)."""
    rows = []
    agreed = {c.speaker for c in event.speaker_consents.all() if c.publish}
    for session in event.sessions.all():
        people = list(session.people.all())
        lines = speaker_lines(session)
        named = [_person_line(p) for p in people if p.publish_consent]
        named += [s for s in lines if s in agreed]
        rows.append(SessionShown(session, named, len(people) + len(lines) - len(named)))
    return rows


def report_participants(event: Event) -> QuerySet[Registration]:
    """Who took part and agreed that their name is published; nobody else."""
    return (
        event.registrations.filter(attended=True, consent_publish=True)
        .exclude(email__endswith=ERASED_DOMAIN)
        .order_by("name", "pk")
        .only("name", "organisation", "community")
    )


def report_materials(event: Event) -> list[Material]:
    """Slides and other materials; the recording only once the organisers published it."""
    return [
        m for m in event.materials.all() if m.kind != m.Kind.RECORDING or event.recording_published
    ]


@dataclass(frozen=True)
class ConsentMissing:
    name: str
    role: str  # "participant" or "speaker"
    recording: bool
    publish: bool


def consent_missing(event: Event) -> list[ConsentMissing]:
    """Who did not agree to be recorded or published: the confirmed participants and the
    speakers, for the organisers to see before they publish the recording or the report."""
    rows = [
        ConsentMissing(r.name, "participant", r.consent_recording, r.consent_publish)
        for r in event.registrations.filter(status=Registration.Status.CONFIRMED)
        .filter(Q(consent_recording=False) | Q(consent_publish=False))
        .exclude(email__endswith=ERASED_DOMAIN)
        .order_by("name", "pk")
    ]
    sessions = list(event.sessions.prefetch_related("people"))
    for session in sessions:
        for person in session.people.all():
            if not (person.recording_consent and person.publish_consent):
                rows.append(
                    ConsentMissing(
                        person.name, "speaker", person.recording_consent, person.publish_consent
                    )
                )
    given = {c.speaker: c for c in event.speaker_consents.all()}
    speakers = dict.fromkeys(s for session in sessions for s in speaker_lines(session))
    for speaker in speakers:
        consent = given.get(speaker)
        recording = bool(consent and consent.recording)
        publish = bool(consent and consent.publish)
        if not (recording and publish):
            rows.append(ConsentMissing(speaker, "speaker", recording, publish))
    return rows


def event_for_registration(*, slug: str) -> Event:
    """The event alone, without its agenda and relations: what the registration form needs."""
    return event_list_base().get(slug=slug)


def events_managed_by(user: AnyUser) -> QuerySet[Event]:
    """The events this person organises: all for the back office's event managers, else those
    of the networks they coordinate (as organiser or through the series). Every organiser
    page looks its records up through this, so guessing a slug or id reveals nothing."""
    if not user.is_authenticated:
        return Event.objects.none()
    if user.has_perm("events.change_event"):
        return Event.objects.all()
    networks = networks_coordinated(user)
    return Event.objects.filter(
        pk__in=Event.objects.filter(
            Q(organiser_networks__in=networks)
            | Q(series__networks__in=networks)
            | Q(organisers=user)
            | Q(series__organisers=user)
        ).values("pk")
    )


def series_managed_by(user: AnyUser) -> QuerySet[Series]:
    """The series whose events this person may add to: those of the networks they
    coordinate and those they were named organisers of."""
    if not user.is_authenticated:
        return Series.objects.none()
    if user.has_perm("events.change_series"):
        return Series.objects.all()
    return Series.objects.filter(
        pk__in=Series.objects.filter(
            Q(networks__in=networks_coordinated(user)) | Q(organisers=user)
        ).values("pk")
    )


def series_coordinated_by(user: AnyUser) -> QuerySet[Series]:
    """The series whose settings, organisers and offers to host this person decides on:
    those of the networks they coordinate (organisers run events, not series)."""
    if not user.is_authenticated:
        return Series.objects.none()
    if user.has_perm("events.change_series"):
        return Series.objects.all()
    return Series.objects.filter(
        pk__in=Series.objects.filter(networks__in=networks_coordinated(user)).values("pk")
    )


def event_networks_for(user: User) -> QuerySet[Network]:
    """The networks this person may name as an event's organisers."""
    if user.has_perm("events.change_event"):
        return Network.objects.all()
    return networks_coordinated(user)


def programme_runner(user: AnyUser) -> bool:
    """Whether this person may create events: they coordinate a network or organise a series."""
    if not user.is_authenticated:
        return False
    return event_networks_for(user).exists() or series_managed_by(user).exists()


def event_coordinated_by(user: User, event: Event) -> bool:
    """Whether this person coordinates the event (its network or its series' network), and
    so may name its organisers; a named organiser may not name others."""
    if user.has_perm("events.change_event"):
        return True
    networks = networks_coordinated(user)
    return event.organiser_networks.filter(pk__in=networks).exists() or (
        event.series is not None and event.series.networks.filter(pk__in=networks).exists()
    )


def host_requests_for(user: User) -> QuerySet[HostRequest]:
    return HostRequest.objects.filter(series__in=series_coordinated_by(user)).select_related(
        "series", "community", "proposer", "event"
    )


# Time -------------------------------------------------------------------------------------


def event_when(event: Event, language: str | None = None) -> str:
    """When the event takes place, in its own time zone, no more precise than known."""
    with translation.override(language or translation.get_language()):
        if event.date_precision == Event.DatePrecision.UNKNOWN or event.starts_at is None:
            return event.localized("date_note", language or "en").text or _("Date not known")
        start = timezone.localtime(event.starts_at, event.zone)
        end = timezone.localtime(event.ends_at, event.zone) if event.ends_at else None
        if event.date_precision == Event.DatePrecision.YEAR:
            return str(start.year)
        if event.date_precision == Event.DatePrecision.DAY:
            text = formats.date_format(start, "DATE_FORMAT")
            if end and end.date() != start.date():
                text = f"{text} – {formats.date_format(end, 'DATE_FORMAT')}"
            return text
        text = formats.date_format(start, "DATETIME_FORMAT")
        if end:
            same_day = end.date() == start.date()
            text += " – " + formats.date_format(
                end, "TIME_FORMAT" if same_day else "DATETIME_FORMAT"
            )
        return f"{text} ({event.time_zone})"


def event_check_in_opens(event: Event) -> str:
    """When check-in opens, in the event's own time zone ("" without a start)."""
    opens = event.check_in_opens_at()
    if opens is None:
        return ""
    return formats.date_format(timezone.localtime(opens, event.zone), "DATETIME_FORMAT")


# Personal links ---------------------------------------------------------------------------


class LinkInvalid(Exception):
    def __init__(self, code: str):
        self.code = code  # "expired", "forged" or "replaced"
        super().__init__(code)


def registration_token(registration: Registration) -> str:
    return signing.dumps(registration.pk, salt=_TOKEN_SALT, compress=True)


def registration_from_token(token: str) -> Registration:
    try:
        pk = signing.loads(token, salt=_TOKEN_SALT, max_age=REGISTRATION_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkInvalid("expired") from None
    except signing.BadSignature:
        raise LinkInvalid("forged") from None
    registration = Registration.objects.select_related("event").filter(pk=pk).first()
    if registration is None:
        raise LinkInvalid("forged")
    if (
        registration.status not in Registration.ACTIVE
        and Registration.objects.filter(
            event_id=registration.event_id, email=registration.email, pk__gt=registration.pk
        ).exists()
    ) or _signed_at(token) + _CLOCK_SLACK_SECONDS < registration.privacy_consent_at.timestamp():
        # The address registered again since (in a new row; before migration events.0002
        # in the same row, whose life then began after this link was made).
        raise LinkInvalid("replaced")
    return registration


# Links are made by the worker, perhaps on another machine than the registration's.
_CLOCK_SLACK_SECONDS = 60


def _signed_at(token: str) -> int:
    """When a valid token was made (Django's signed value is "value:time:signature")."""
    return signing.b62_decode(token.rsplit(":", 2)[1])


def absolute_url(path: str) -> str:
    return settings.HUB_URL + path


def registration_url(registration: Registration) -> str:
    with translation.override(registration.language):
        path = reverse("events:registration", kwargs={"token": registration_token(registration)})
    return absolute_url(path)


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != Registration.Status.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        event_id=registration.event_id, status=Registration.Status.WAITLISTED
    ).filter(
        Q(queued_at__lt=registration.queued_at)
        | Q(queued_at=registration.queued_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def event_places_left(event: Event) -> int | None:
    if event.capacity is None:
        return None
    taken = event.registrations.filter(status__in=Registration.HOLDING).count()
    return max(event.capacity - taken, 0)


def event_joins_waiting_list(event: Event, places_left: int | None) -> bool:
    """Whether registering now means joining the waiting list."""
    return places_left == 0 and event.waiting_list and not event.requires_approval


def event_full_for_newcomers(event: Event) -> bool:
    """Whether a new address would be refused now: full, no waiting list, no approval."""
    return not event.requires_approval and not event.waiting_list and event_places_left(event) == 0


def answer_text(value: object) -> str:
    """One answer as text: several chosen answers are joined by semicolons."""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value or "")


def registration_answers(registration: Registration, questions: Iterable[Question]) -> list[str]:
    """The answers to these questions of the event, in their order ("" if none)."""
    return [answer_text(registration.answers.get(str(q.pk))) for q in questions]


def offer_until(registration: Registration) -> str:
    """Until when an offered place is held, in the event's own time zone."""
    if registration.offer_expires_at is None:
        return ""
    event = registration.event
    local = timezone.localtime(registration.offer_expires_at, event.zone)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({event.time_zone})"


# Calendars --------------------------------------------------------------------------------


def event_in_calendar(event: Event) -> bool:
    return event.starts_at is not None and event.date_precision in (
        Event.DatePrecision.MINUTE,
        Event.DatePrecision.DAY,
    )


_ICAL_STATUS: dict[str, str] = {
    Event.Status.PUBLISHED: "CONFIRMED",
    Event.Status.POSTPONED: "TENTATIVE",
    Event.Status.CANCELLED: "CANCELLED",
    Event.Status.DRAFT: "TENTATIVE",
}


def _calendar_event(
    event: Event, registration: Registration | None, stamp: datetime | None
) -> CalendarEvent:
    # Only events with a start are in calendars (event_in_calendar).
    starts_at = cast(datetime, event.starts_at)
    entry = CalendarEvent()
    host = settings.HUB_URL.split("://", 1)[-1].split("/")[0].split(":")[0] or "villagehub"
    entry.add("uid", f"event-{event.pk}@{host}")
    # Without a METHOD, DTSTAMP is when the event's information last changed (RFC 5545
    # 3.8.7.2); in a message (METHOD), when the message was made.
    entry.add("dtstamp", stamp or event.updated_at)
    entry.add("sequence", event.sequence)
    entry.add("status", _ICAL_STATUS[event.status])
    entry.add("summary", xml_clean(event.title))
    if event.date_precision == Event.DatePrecision.DAY:
        start = timezone.localtime(starts_at, event.zone).date()
        end = timezone.localtime(event.ends_at or starts_at, event.zone).date()
        entry.add("dtstart", start)
        entry.add("dtend", end + timedelta(days=1))  # DTEND of an all-day event is exclusive
    else:
        entry.add("dtstart", timezone.localtime(starts_at, event.zone))
        entry.add(
            "dtend",
            timezone.localtime(event.ends_at or starts_at + timedelta(hours=1), event.zone),
        )
    url = absolute_url(event.get_absolute_url())
    entry.add("url", url)
    place = ", ".join(p for p in (event.venue_name, event.venue_address, event.city) if p)
    if event.country:
        place = ", ".join(p for p in (place, cast(Country, event.country).name) if p)
    online = (
        registration is not None
        and registration.status == Registration.Status.CONFIRMED
        and event.online_url
    )
    if online:
        place = ", ".join(p for p in (place, event.online_url) if p)
    if place:
        entry.add("location", xml_clean(place))
    if event.latitude is not None and event.longitude is not None:
        entry.add("geo", (float(event.latitude), float(event.longitude)))
    description = "\n\n".join(p for p in (event.summary, url) if p)
    if online:
        description += "\n\n" + event.online_url
    entry.add("description", xml_clean(description))
    entry.add("last-modified", event.updated_at)
    for theme in event.themes.all():
        entry.add("categories", xml_clean(theme.name))
    return entry


def event_ical(
    events: Iterable[Event],
    *,
    name: str = "",
    registration: Registration | None = None,
    method: str = "",
) -> bytes:
    """An RFC 5545 calendar of these events, with the time zones they use."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.HUB_NAME}//Village Hub//EN")
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", xml_clean(name))
        calendar.add("name", xml_clean(name))
    stamp = timezone.now() if method else None
    years = []
    for event in events:
        if event_in_calendar(event):
            calendar.add_component(_calendar_event(event, registration, stamp))
            years.append(cast(datetime, event.starts_at).year)
    if years:
        # Time-zone rules for the years the events fall in, not for 1970–2038.
        calendar.add_missing_timezones(
            first_date=date(min(years) - 1, 1, 1), last_date=date(max(years) + 2, 1, 1)
        )
    else:
        # A calendar holds at least one component (RFC 5545 3.6): an empty one carries the
        # hub's own time zone, so that it is still a calendar a subscriber can read.
        year = timezone.now().year
        calendar.add_component(
            Timezone.from_tzid(
                settings.TIME_ZONE, first_date=date(year - 1, 1, 1), last_date=date(year + 2, 1, 1)
            )
        )
    ical: bytes = calendar.to_ical()
    return ical


# Feedback results -------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackSummary:
    """Survey results over some events. The opinion figures are None (withheld) below
    `MIN_ANSWERS` answers; each is an `Estimate` with its n and 90 % confidence interval."""

    attendees: int
    responses: int
    response_rate: Estimate | None
    attend_again: Estimate | None
    promoters: Estimate | None
    nps: Estimate | None
    satisfaction: Estimate | None

    min_answers = MIN_ANSWERS

    @property
    def withheld(self) -> bool:
        return 0 < self.responses < MIN_ANSWERS


def _feedback_totals() -> dict[str, Any]:
    return {
        "n": Count("pk"),
        "again": Count("pk", filter=Q(would_attend_again=True)),
        "promoters": Count("pk", filter=Q(recommend__gte=9)),
        "detractors": Count("pk", filter=Q(recommend__lte=6)),
        "satisfaction_total": Sum("satisfaction"),
        "satisfaction_squares": Sum(F("satisfaction") * F("satisfaction")),
    }


def _feedback_summary_of(attendees: int, totals: dict[str, Any] | None) -> FeedbackSummary:
    n = totals["n"] if totals else 0
    # Answers whose giver was later marked absent still count as answers, not as attendees.
    rate = share_estimate(successes=min(n, attendees), n=attendees)
    if not totals or n < MIN_ANSWERS:
        return FeedbackSummary(attendees, n, rate, None, None, None, None)
    return FeedbackSummary(
        attendees=attendees,
        responses=n,
        response_rate=rate,
        attend_again=share_estimate(successes=totals["again"], n=n),
        promoters=share_estimate(successes=totals["promoters"], n=n),
        nps=nps_estimate(promoters=totals["promoters"], detractors=totals["detractors"], n=n),
        satisfaction=mean_estimate(
            total=totals["satisfaction_total"],
            total_of_squares=totals["satisfaction_squares"],
            n=n,
            low=1,
            high=5,
        ),
    )


def feedback_summary(events: QuerySet[Event]) -> FeedbackSummary:
    """Survey results over these events: never individual answers.

    Net Promoter Score: % of answers scoring 9–10 minus % scoring 0–6.
    """
    attendees = Registration.objects.filter(event__in=events, attended=True).count()
    totals = Feedback.objects.filter(event__in=events).aggregate(**_feedback_totals())
    return _feedback_summary_of(attendees, totals)


def feedback_summary_by(events: QuerySet[Event], field: str) -> dict[str, Any]:
    """`feedback_summary` for each value of an event field (`series`, `host_community`):
    two queries however many groups. Keys are the field's ids (None: events without)."""
    attendees = dict(
        Registration.objects.filter(event__in=events, attended=True)
        .order_by()
        .values(f"event__{field}")
        .annotate(n=Count("pk"))
        .values_list(f"event__{field}", "n")
    )
    totals = {
        row[f"event__{field}"]: row
        for row in Feedback.objects.filter(event__in=events)
        .order_by()
        .values(f"event__{field}")
        .annotate(**_feedback_totals())
    }
    return {
        key: _feedback_summary_of(attendees.get(key, 0), totals.get(key))
        for key in set(attendees) | set(totals)
    }


def feedback_unanswered(event: Event) -> QuerySet[Registration]:
    """The attendees of this event who have not answered the survey, each annotated with
    whether they were asked (`asked`) and reminded (`reminded`)."""
    notices = Notice.objects.filter(registration=OuterRef("pk"))
    return (
        event.registrations.filter(attended=True)
        .exclude(Exists(Feedback.objects.filter(registration=OuterRef("pk"))))
        .exclude(email__endswith=ERASED_DOMAIN)
        .annotate(
            asked=Exists(notices.filter(kind=Notice.Kind.FEEDBACK)),
            reminded=Exists(notices.filter(kind=Notice.Kind.SURVEY_REMINDER)),
        )
        .order_by("name", "pk")
    )


def feedback_over_time(events: QuerySet[Event]) -> list[tuple[Event, FeedbackSummary]]:
    """Each dated event's results, in date order: three queries however many events."""
    # Only what the table and the chart show: a series' events carry long texts.
    dated = list(
        events.filter(starts_at__isnull=False)
        .order_by("starts_at", "pk")
        .only("pk", "slug", "title", "starts_at", "time_zone")
    )
    ids = [event.pk for event in dated]
    attendees = dict(
        Registration.objects.filter(event_id__in=ids, attended=True)
        .order_by()
        .values("event_id")
        .annotate(n=Count("pk"))
        .values_list("event_id", "n")
    )
    totals: dict[int, Any] = {
        row["event_id"]: row
        for row in Feedback.objects.filter(event_id__in=ids)
        .order_by()
        .values("event_id")
        .annotate(**_feedback_totals())
    }
    return [
        (event, _feedback_summary_of(attendees.get(event.pk, 0), totals.get(event.pk)))
        for event in dated
        if event.pk in attendees or event.pk in totals
    ]


def _value(estimate: Estimate | None) -> float | None:
    return None if estimate is None else estimate.value


def feedback_chart(rows: list[tuple[Event, FeedbackSummary]], title: str) -> str:
    """An SVG line chart (no script) of NPS and the share who would attend again."""
    import pygal
    from pygal.style import Style

    style = Style(
        background="white",
        plot_background="white",
        foreground="#1a1a1a",
        foreground_strong="#1a1a1a",
        foreground_subtle="#555",
        colors=("#1d5f8a", "#a33c00", "#2f6b1f"),
        font_family="system-ui, sans-serif",
    )
    chart = pygal.Line(
        style=style,
        js=[],
        width=720,
        height=320,
        title=title,
        x_label_rotation=20,
        range=(-100, 100),
        show_dots=True,
        explicit_size=False,
    )
    chart.x_labels = [
        timezone.localtime(e.starts_at, e.zone).strftime("%Y-%m-%d") for e, _s in rows
    ]
    chart.add(_("Net Promoter Score"), [_value(s.nps) for _e, s in rows])
    chart.add(_("% would attend again"), [_value(s.attend_again) for _e, s in rows])
    chart.add(_("% would recommend (9–10)"), [_value(s.promoters) for _e, s in rows])
    svg: str = chart.render(is_unicode=True)
    return svg


def privacy_notice_version() -> str:
    return settings.PRIVACY_NOTICE_VERSION


def registration_names(emails: Iterable[str]) -> set[str]:
    """The names people gave when registering with these addresses."""
    return set(Registration.objects.filter(email__in=emails).values_list("name", flat=True))


def registrations_data(email: str) -> list[dict[str, Any]]:
    """Everything the hub holds about the registrations made with this address."""
    email = email.strip().lower()
    rows = []
    registrations = (
        Registration.objects.filter(email=email)
        .select_related("event")
        .prefetch_related("notices")
        .order_by("pk")
    )
    for r in registrations:
        feedback = Feedback.objects.filter(registration=r).first()
        rows.append(
            {
                "event": r.event.title,
                "event_url": absolute_url(r.event.get_absolute_url()),
                "status": r.status,
                "name": r.name,
                "email": r.email,
                "organisation": r.organisation,
                "community": r.community,
                "country": cast(Country, r.country).code,
                "role": r.role,
                "language": r.language,
                "answers": {
                    q.label: answer_text(r.answers.get(str(q.pk))) for q in r.event.questions.all()
                },
                "privacy_consent_at": r.privacy_consent_at.isoformat(),
                "privacy_notice_version": r.privacy_notice_version,
                "contact_consent": r.contact_consent,
                "consent_recording": r.consent_recording,
                "consent_publish": r.consent_publish,
                "plain_text_reminders": r.plain_text_reminders,
                "offer_expires_at": r.offer_expires_at.isoformat() if r.offer_expires_at else None,
                "registered_at": r.created_at.isoformat(),
                "attended": r.attended,
                "emails_sent": [
                    {"kind": n.kind, "sent_at": n.sent_at.isoformat()} for n in r.notices.all()
                ],
                "feedback": None
                if feedback is None
                else {
                    "would_attend_again": feedback.would_attend_again,
                    "recommend": feedback.recommend,
                    "satisfaction": feedback.satisfaction,
                    "most_useful": feedback.most_useful,
                    "next_topics": feedback.next_topics,
                    "answered_at": feedback.created_at.isoformat(),
                },
            }
        )
    return rows
