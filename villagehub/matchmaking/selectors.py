"""Reads for one-to-one meetings. Every page finds its records through the scoped helpers
here: a participant through their personal registration link, an organiser through
`events_managed_by`; guessing an id reveals nothing."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from villagehub.core.types import User
from villagehub.events.models import Event, Registration
from villagehub.events.selectors import (
    absolute_url,
    events_managed_by,
    registration_from_token,
    registration_token,
)

from . import checks, scheduler
from .models import Matchmaking, MatchProfile, Meeting, MeetingRequest, Slot

# Participants -------------------------------------------------------------------------


@dataclass(frozen=True)
class Participant:
    """Who asks, found from their personal link: their registration, the event's
    matchmaking and their profile (None until they fill it)."""

    registration: Registration
    matchmaking: Matchmaking
    profile: MatchProfile | None
    token: str


def participant_from_token(token: str) -> Participant:
    """Raises `events.selectors.LinkInvalid` for a bad link and Http404 when the event has
    no matchmaking or the registration holds no confirmed place."""
    registration = registration_from_token(token)
    matchmaking = Matchmaking.objects.filter(event_id=registration.event_id).first()
    if matchmaking is None or registration.status != Registration.Status.CONFIRMED:
        raise Http404(_("One-to-one meetings are for participants with a confirmed place."))
    matchmaking.event = registration.event
    profile = MatchProfile.objects.filter(registration=registration).first()
    if profile is not None:
        profile.registration = registration
        profile.matchmaking = matchmaking
    return Participant(registration, matchmaking, profile, token)


def profiles_active(matchmaking: Matchmaking) -> QuerySet[MatchProfile]:
    return matchmaking.profiles.filter(registration__status=Registration.Status.CONFIRMED)


def participants_browse(*, profile: MatchProfile, q: str = "") -> QuerySet[MatchProfile]:
    """The other participants of the same event, with this person's open request to or
    from each (`open_requests`)."""
    profiles = (
        profiles_active(profile.matchmaking).exclude(pk=profile.pk).select_related("registration")
    )
    for word in q.split()[:8]:
        profiles = profiles.filter(
            Q(organisation__icontains=word)
            | Q(offers__icontains=word)
            | Q(needs__icontains=word)
            | Q(registration__name__icontains=word)
        )
    return profiles.order_by("organisation", "pk")


def profile_get_for_participant(*, profile: MatchProfile, pk: int) -> MatchProfile:
    """Another participant of the same event, or Http404."""
    found = (
        profiles_active(profile.matchmaking)
        .exclude(pk=profile.pk)
        .select_related("registration")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404(_("There is no such participant."))
    return found


def requests_of(profile: MatchProfile) -> QuerySet[MeetingRequest]:
    return (
        MeetingRequest.objects.filter(Q(requester=profile) | Q(recipient=profile))
        .select_related("requester__registration", "recipient__registration")
        .order_by("-created_at", "-pk")
    )


def request_get_for_participant(*, profile: MatchProfile, pk: int) -> MeetingRequest:
    found = requests_of(profile).filter(pk=pk).first()
    if found is None:
        raise Http404(_("There is no such request."))
    return found


def agenda(profile: MatchProfile) -> QuerySet[Meeting]:
    """This person's placed meetings, in time order."""
    return (
        Meeting.objects.filter(Q(request__requester=profile) | Q(request__recipient=profile))
        .select_related(
            "slot", "request__requester__registration", "request__recipient__registration"
        )
        .order_by("slot__starts_at", "table", "pk")
    )


def meeting_get_for_participant(*, profile: MatchProfile, pk: int) -> Meeting:
    found = agenda(profile).filter(pk=pk).first()
    if found is None:
        raise Http404(_("There is no such meeting."))
    return found


def meeting_partner(meeting: Meeting, profile: MatchProfile) -> MatchProfile:
    request = meeting.request
    return request.recipient if request.requester_id == profile.pk else request.requester


# Organisers ---------------------------------------------------------------------------


def event_get_for_organiser(*, user: User, slug: str) -> Event:
    """The event, with its matchmaking (or None) as `matchmaking_or_none`; Http404 unless
    this person organises it."""
    event = events_managed_by(user).filter(slug=slug).first()
    if event is None:
        raise Http404(_("There is no such event."))
    event.matchmaking_or_none = Matchmaking.objects.filter(event=event).first()  # type: ignore[attr-defined]
    return event


def table_plan(
    matchmaking: Matchmaking,
) -> list[tuple[Slot, list[Meeting | None]]]:
    """Rows of the printable plan: each slot with its meetings by table (None: free)."""
    meetings: dict[tuple[int, int], Meeting] = {}
    for meeting in matchmaking.meetings.select_related(
        "request__requester__registration", "request__recipient__registration"
    ):
        meetings[meeting.slot_id, meeting.table] = meeting
    return [
        (slot, [meetings.get((slot.pk, table)) for table in range(1, matchmaking.tables + 1)])
        for slot in matchmaking.slots.all()
    ]


def schedule_problem(matchmaking: Matchmaking) -> scheduler.Problem:
    """The scheduler's input: the meeting slots, the tables, the availability of everyone
    with a confirmed place and their accepted requests, and the plan in force."""
    slots = tuple(matchmaking.slots.filter(is_break=False).values_list("pk", flat=True))
    profiles = profiles_active(matchmaking).prefetch_related(
        Prefetch("available_slots", to_attr="slots_free")
    )
    availability = {p.pk: frozenset(s.pk for s in p.slots_free) for p in profiles}
    requests = tuple(
        scheduler.Request(pk, a, b, priority)
        for pk, a, b, priority in matchmaking.requests.filter(
            status=MeetingRequest.Status.ACCEPTED
        ).values_list("pk", "requester_id", "recipient_id", "priority")
        if a in availability and b in availability
    )
    previous = {
        request_id: (slot, table)
        for request_id, slot, table in matchmaking.meetings.values_list(
            "request_id", "slot_id", "table"
        )
    }
    return scheduler.Problem(
        slots=slots,
        tables=matchmaking.tables,
        availability=availability,
        requests=requests,
        previous=previous,
    )


def schedule_conflicts(matchmaking: Matchmaking) -> list[str]:
    """The independent checker run over the plan as stored."""
    problem = schedule_problem(matchmaking)
    accepted = {r.id for r in problem.requests}
    return checks.schedule_problems(
        slots=dict(matchmaking.slots.values_list("pk", "is_break")),
        tables=matchmaking.tables,
        availability=problem.availability,
        requests={
            pk: (a, b, pk in accepted)
            for pk, a, b in matchmaking.requests.values_list("pk", "requester_id", "recipient_id")
        },
        meetings=[
            checks.Placed(r, s, t)
            for r, s, t in matchmaking.meetings.values_list("request_id", "slot_id", "table")
        ],
    )


def matchmaking_summary(matchmaking: Matchmaking) -> dict[str, int]:
    """The organiser's figures: profiles, accepted requests, meetings placed, accepted but
    not placed, and the conflicts the independent checker finds in the stored plan."""
    accepted = matchmaking.requests.filter(status=MeetingRequest.Status.ACCEPTED)
    return {
        "profiles": profiles_active(matchmaking).count(),
        "accepted": accepted.count(),
        "placed": matchmaking.meetings.count(),
        "unplaced": accepted.filter(meeting__isnull=True).count(),
        "conflicts": len(schedule_conflicts(matchmaking)),
    }


# Agenda: iCalendar and links ----------------------------------------------------------


def participant_url(registration: Registration, name: str = "matchmaking:profile") -> str:
    with translation.override(registration.language):
        path = reverse(name, kwargs={"token": registration_token(registration)})
    return absolute_url(path)


def agenda_ical(profile: MatchProfile) -> bytes:
    """An RFC 5545 calendar of this person's meetings, each with its partner and table."""
    event = profile.matchmaking.event
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.HUB_NAME}//Village Hub//EN")
    calendar.add("version", "2.0")
    with translation.override(profile.registration.language):
        name = _("Meetings at %(event)s") % {"event": event.title}
        calendar.add("x-wr-calname", name)
        host = settings.HUB_URL.split("://", 1)[-1].split("/")[0].split(":")[0] or "villagehub"
        stamp = timezone.now()
        years = set()
        for meeting in agenda(profile):
            partner = meeting_partner(meeting, profile)
            entry = CalendarEvent()
            entry.add("uid", f"meeting-{meeting.request_id}@{host}")
            entry.add("dtstamp", stamp)
            # A moved meeting is a new row: its higher id tells calendars it changed.
            entry.add("sequence", meeting.pk)
            entry.add("dtstart", timezone.localtime(meeting.slot.starts_at, event.zone))
            entry.add("dtend", timezone.localtime(meeting.slot.ends_at, event.zone))
            entry.add(
                "summary",
                _("Meeting with %(name)s (%(organisation)s)")
                % {"name": partner.registration.name, "organisation": partner.organisation},
            )
            entry.add("location", _("Table %(table)s") % {"table": meeting.table})
            entry.add("description", meeting.request.message)
            years.add(meeting.slot.starts_at.year)
            calendar.add_component(entry)
    if years:
        calendar.add_missing_timezones(
            first_date=date(min(years) - 1, 1, 1), last_date=date(max(years) + 2, 1, 1)
        )
    ical: bytes = calendar.to_ical()
    return ical
