"""Writes for one-to-one meetings: the one path for the pages, the admin and the tasks."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks.base import Task

from villagehub.core.services import model_save
from villagehub.events.models import Event, Registration

from . import scheduler, selectors
from .models import Matchmaking, MatchProfile, Meeting, MeetingRequest, Slot


class MatchmakingRefused(Exception):
    """The action is not possible; `code` names why."""

    MESSAGES = {
        "closed": _("Meeting requests for this event are closed."),
        "not_confirmed": _("Only participants with a confirmed place take part in meetings."),
        "self": _("You cannot ask yourself for a meeting."),
        "duplicate": _("There is already an open request between you two."),
        "not_recipient": _("Only the person asked can accept or decline."),
        "not_open": _("This request has already been answered or cancelled."),
        "not_participant": _("This meeting is not one of yours."),
    }

    def __init__(self, code: str):
        self.code = code
        super().__init__(str(self.MESSAGES[code]))


def _enqueue(task: Task[..., Any], *args: Any) -> None:
    transaction.on_commit(lambda: task.enqueue(*args))


# Organisers ---------------------------------------------------------------------------


@transaction.atomic
def matchmaking_configure(*, event: Event, is_open: bool, tables: int) -> Matchmaking:
    matchmaking = Matchmaking.objects.filter(event=event).first() or Matchmaking(event=event)
    return model_save(matchmaking, {"is_open": is_open, "tables": tables})


@transaction.atomic
def slot_add(
    *, matchmaking: Matchmaking, starts_at: datetime, ends_at: datetime, is_break: bool = False
) -> Slot:
    slot = model_save(
        Slot(matchmaking=matchmaking),
        {"starts_at": starts_at, "ends_at": ends_at, "is_break": is_break},
    )
    if not is_break:
        # A new slot is open to everyone until they say otherwise on their profile.
        Through = MatchProfile.available_slots.through
        Through.objects.bulk_create(
            Through(matchprofile_id=pk, slot_id=slot.pk)
            for pk in matchmaking.profiles.values_list("pk", flat=True)
        )
    return slot


@transaction.atomic
def slot_remove(*, slot: Slot) -> None:
    """Its meetings go with it; their requests stay accepted for the next scheduler run."""
    slot.delete()


_SCHEDULE_ATTEMPTS = 3


def schedule_run(
    *, matchmaking: Matchmaking, keep: bool = True, time_limit: float = 10.0
) -> scheduler.Plan:
    """Place the accepted requests with the scheduler and write the plan: kept meetings are
    left untouched, moved ones are placed again, unplaced ones removed.

    The solver runs outside any transaction (on SQLite an open write transaction would
    hold every other writer for as long as it runs); the plan is written only if the
    problem it solved is still the one in the database, else it is solved again."""
    for _attempt in range(_SCHEDULE_ATTEMPTS):
        problem = selectors.schedule_problem(matchmaking)
        plan = scheduler.schedule(problem, keep=keep, time_limit=time_limit)
        if plan.status not in ("OPTIMAL", "FEASIBLE"):
            raise ValidationError(_("The scheduler found no plan in the time allowed; try again."))
        with transaction.atomic():
            Matchmaking.objects.select_for_update().filter(pk=matchmaking.pk).first()
            if selectors.schedule_problem(matchmaking) == problem:
                _plan_write(matchmaking, plan)
                return plan
    raise ValidationError(_("The scheduler found no plan in the time allowed; try again."))


def _plan_write(matchmaking: Matchmaking, plan: scheduler.Plan) -> None:
    current = {m.request_id: m for m in matchmaking.meetings.all()}
    stale = [m.pk for r, m in current.items() if plan.placements.get(r) != (m.slot_id, m.table)]
    Meeting.objects.filter(pk__in=stale).delete()
    Meeting.objects.bulk_create(
        Meeting(matchmaking=matchmaking, request_id=request_id, slot_id=slot, table=table)
        for request_id, (slot, table) in plan.placements.items()
        if request_id not in current or current[request_id].pk in stale
    )
    Matchmaking.objects.filter(pk=matchmaking.pk).update(
        plan_version=F("plan_version") + 1,
        planned_at=timezone.now(),
        plan_objective=plan.objective,
        plan_bound=plan.bound,
        plan_status=plan.status,
        plan_seconds=round(plan.seconds, 3),
    )


@transaction.atomic
def meeting_held_set(*, meeting: Meeting, held: bool) -> Meeting:
    meeting.status = Meeting.Status.HELD if held else Meeting.Status.SCHEDULED
    meeting.save(update_fields=["status", "updated_at"])
    return meeting


def agendas_send(*, matchmaking: Matchmaking) -> int:
    """Queue each participant's agenda of the plan in force (once per plan and person)."""
    from .tasks import agenda_email_task

    profiles = list(selectors.profiles_active(matchmaking).values_list("pk", flat=True))
    for pk in profiles:
        _enqueue(agenda_email_task, pk, matchmaking.plan_version)
    return len(profiles)


# Participants -------------------------------------------------------------------------


def _check_open(matchmaking: Matchmaking, registration: Registration) -> None:
    if not matchmaking.is_open:
        raise MatchmakingRefused("closed")
    if registration.status != Registration.Status.CONFIRMED:
        raise MatchmakingRefused("not_confirmed")


@transaction.atomic
def profile_save(
    *,
    matchmaking: Matchmaking,
    registration: Registration,
    organisation: str,
    offers: str,
    needs: str,
    slots: list[Slot],
) -> MatchProfile:
    _check_open(matchmaking, registration)
    if registration.event_id != matchmaking.event_id:
        raise MatchmakingRefused("not_participant")
    if any(s.matchmaking_id != matchmaking.pk or s.is_break for s in slots):
        raise ValidationError({"available_slots": _("Choose among the event's meeting slots.")})
    profile = MatchProfile.objects.filter(registration=registration).first() or MatchProfile(
        matchmaking=matchmaking, registration=registration
    )
    return model_save(
        profile,
        {"organisation": organisation, "offers": offers, "needs": needs, "available_slots": slots},
    )


@transaction.atomic
def meeting_request_create(
    *,
    requester: MatchProfile,
    recipient: MatchProfile,
    message: str = "",
    priority: int = MeetingRequest.Priority.NORMAL,
) -> MeetingRequest:
    _check_open(requester.matchmaking, requester.registration)
    if requester.pk == recipient.pk:
        raise MatchmakingRefused("self")
    if (
        recipient.matchmaking_id != requester.matchmaking_id
        or recipient.registration.status != Registration.Status.CONFIRMED
    ):
        raise MatchmakingRefused("not_participant")
    if MeetingRequest.objects.filter(
        Q(requester=requester, recipient=recipient) | Q(requester=recipient, recipient=requester),
        status__in=MeetingRequest.OPEN,
    ).exists():
        raise MatchmakingRefused("duplicate")
    try:
        with transaction.atomic():
            return model_save(
                MeetingRequest(
                    matchmaking_id=requester.matchmaking_id,
                    requester=requester,
                    recipient=recipient,
                ),
                {"message": message, "priority": priority},
            )
    except IntegrityError:
        raise MatchmakingRefused("duplicate") from None


@transaction.atomic
def meeting_request_decide(
    *, request: MeetingRequest, by: MatchProfile, accept: bool
) -> MeetingRequest:
    request = MeetingRequest.objects.select_for_update().get(pk=request.pk)
    if request.recipient_id != by.pk:
        raise MatchmakingRefused("not_recipient")
    if request.status != MeetingRequest.Status.REQUESTED:
        raise MatchmakingRefused("not_open")
    request.status = MeetingRequest.Status.ACCEPTED if accept else MeetingRequest.Status.DECLINED
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_at", "updated_at"])
    return request


@transaction.atomic
def meeting_request_cancel(*, request: MeetingRequest, by: MatchProfile) -> MeetingRequest:
    """Either side may cancel an open request; a placed meeting is removed, its table freed
    for the next scheduler run."""
    request = MeetingRequest.objects.select_for_update().get(pk=request.pk)
    if by.pk not in (request.requester_id, request.recipient_id):
        raise MatchmakingRefused("not_participant")
    if request.status not in MeetingRequest.OPEN:
        raise MatchmakingRefused("not_open")
    Meeting.objects.filter(request=request).delete()
    request.status = MeetingRequest.Status.CANCELLED
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_at", "updated_at"])
    return request


@transaction.atomic
def meeting_outcome_set(*, meeting: Meeting, by: MatchProfile, text: str) -> Meeting:
    """Each side says in its own words what came of the meeting."""
    meeting = Meeting.objects.select_for_update().select_related("request").get(pk=meeting.pk)
    if by.pk == meeting.request.requester_id:
        field = "requester_outcome"
    elif by.pk == meeting.request.recipient_id:
        field = "recipient_outcome"
    else:
        raise MatchmakingRefused("not_participant")
    return model_save(meeting, {field: text.strip()})


def agenda_claim(*, profile_id: int, version: int) -> bool:
    """True once per person and plan: the agenda task sends only when it claims."""
    return bool(
        MatchProfile.objects.filter(pk=profile_id, agenda_sent_version__lt=version).update(
            agenda_sent_version=version
        )
    )
