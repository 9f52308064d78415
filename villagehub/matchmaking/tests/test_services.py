import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import Http404

from villagehub.events import services as event_services
from villagehub.events.selectors import registration_from_token
from villagehub.matchmaking import scheduler, selectors, services
from villagehub.matchmaking.models import Meeting, MeetingRequest
from villagehub.matchmaking.services import MatchmakingRefused

from .factories import matchmaking_make, profile_make

pytestmark = pytest.mark.django_db


def _accepted(requester, recipient, priority=2):
    request = services.meeting_request_create(
        requester=requester, recipient=recipient, priority=priority
    )
    return services.meeting_request_decide(request=request, by=recipient, accept=True)


def test_new_slots_are_open_to_everyone_and_breaks_to_no_one():
    matchmaking = matchmaking_make(slots=3, breaks=(1,))
    ana = profile_make(matchmaking, 1)
    first, pause, last = matchmaking.slots.all()
    assert pause.is_break
    assert set(ana.available_slots.all()) == {first, last}
    later = services.slot_add(
        matchmaking=matchmaking,
        starts_at=last.ends_at,
        ends_at=last.ends_at + (last.ends_at - last.starts_at),
    )
    assert set(ana.available_slots.all()) == {first, last, later}


def test_profile_refuses_a_break_and_a_registration_without_a_confirmed_place():
    matchmaking = matchmaking_make(slots=2, breaks=(1,))
    ana = profile_make(matchmaking, 1)
    pause = matchmaking.slots.get(is_break=True)
    with pytest.raises(ValidationError) as caught:
        services.profile_save(
            matchmaking=matchmaking,
            registration=ana.registration,
            organisation="X",
            offers="",
            needs="",
            slots=[pause],
        )
    assert list(caught.value.message_dict) == ["available_slots"]
    event_services.registration_cancel(registration=ana.registration)
    ana.registration.refresh_from_db()
    with pytest.raises(MatchmakingRefused) as refused:
        services.profile_save(
            matchmaking=matchmaking,
            registration=ana.registration,
            organisation="X",
            offers="",
            needs="",
            slots=[],
        )
    assert refused.value.code == "not_confirmed"


def test_requests_only_between_others_once_and_decided_by_the_recipient():
    matchmaking = matchmaking_make()
    ana, bo = profile_make(matchmaking, 1), profile_make(matchmaking, 2)
    with pytest.raises(MatchmakingRefused) as refused:
        services.meeting_request_create(requester=ana, recipient=ana)
    assert refused.value.code == "self"
    request = services.meeting_request_create(
        requester=ana, recipient=bo, message="Sensors?", priority=3
    )
    with pytest.raises(MatchmakingRefused) as refused:
        services.meeting_request_create(requester=bo, recipient=ana)
    assert refused.value.code == "duplicate"
    with pytest.raises(MatchmakingRefused) as refused:
        services.meeting_request_decide(request=request, by=ana, accept=True)
    assert refused.value.code == "not_recipient"
    services.meeting_request_decide(request=request, by=bo, accept=False)
    request.refresh_from_db()
    assert (request.status, request.priority, request.message) == ("declined", 3, "Sensors?")
    with pytest.raises(MatchmakingRefused) as refused:
        services.meeting_request_decide(request=request, by=bo, accept=True)
    assert refused.value.code == "not_open"
    # Declined: a new request between the two is possible again.
    assert services.meeting_request_create(requester=bo, recipient=ana).status == "requested"


def test_closed_matchmaking_refuses_requests():
    matchmaking = matchmaking_make()
    ana, bo = profile_make(matchmaking, 1), profile_make(matchmaking, 2)
    services.matchmaking_configure(event=matchmaking.event, is_open=False, tables=2)
    ana.matchmaking.refresh_from_db()
    with pytest.raises(MatchmakingRefused) as refused:
        services.meeting_request_create(requester=ana, recipient=bo)
    assert refused.value.code == "closed"


def test_a_participant_sees_only_their_own_requests_and_agenda():
    matchmaking = matchmaking_make()
    ana, bo, cy = (profile_make(matchmaking, n) for n in (1, 2, 3))
    ab = _accepted(ana, bo)
    bc = _accepted(bo, cy)
    services.schedule_run(matchmaking=matchmaking)
    assert list(selectors.requests_of(ana)) == [ab]
    assert set(selectors.requests_of(bo)) == {ab, bc}
    with pytest.raises(Http404):
        selectors.request_get_for_participant(profile=ana, pk=bc.pk)
    assert [m.request for m in selectors.agenda(ana)] == [ab]
    with pytest.raises(Http404):
        selectors.meeting_get_for_participant(profile=ana, pk=bc.meeting.pk)
    with pytest.raises(MatchmakingRefused):
        services.meeting_request_cancel(request=bc, by=ana)
    other_event = matchmaking_make(slug="other-workshop")
    stranger = profile_make(other_event, 9)
    with pytest.raises(Http404):
        selectors.profile_get_for_participant(profile=ana, pk=stranger.pk)
    assert list(selectors.participants_browse(profile=ana)) == [bo, cy]


def test_schedule_places_accepted_requests_and_replans_without_moving_the_others():
    matchmaking = matchmaking_make(slots=3, tables=1, breaks=(1,))
    ana, bo, cy, di = (profile_make(matchmaking, n) for n in (1, 2, 3, 4))
    ab, cd, ac = _accepted(ana, bo, 3), _accepted(cy, di, 1), _accepted(ana, cy, 2)
    services.meeting_request_create(requester=bo, recipient=di)  # not accepted: never placed
    plan = services.schedule_run(matchmaking=matchmaking)
    # Two meeting slots, one table: two meetings; ab (3) and ac (2) outweigh cd (1).
    assert (plan.objective, plan.bound, plan.status) == (5, 5, "OPTIMAL")
    assert set(Meeting.objects.values_list("request_id", flat=True)) == {ab.pk, ac.pk}
    assert selectors.schedule_conflicts(matchmaking) == []
    placed = dict(Meeting.objects.values_list("request_id", "slot_id"))

    services.meeting_request_cancel(request=ac, by=cy)
    plan = services.schedule_run(matchmaking=matchmaking)
    after = dict(Meeting.objects.values_list("request_id", "slot_id"))
    assert after[ab.pk] == placed[ab.pk]
    assert after[cd.pk] == placed[ac.pk]  # the freed table
    assert plan.moved == 0
    matchmaking.refresh_from_db()
    assert (matchmaking.plan_version, matchmaking.plan_objective) == (2, 4)
    assert MeetingRequest.objects.get(pk=ac.pk).status == "cancelled"
    assert selectors.schedule_conflicts(matchmaking) == []


def test_a_meeting_whose_person_is_no_longer_free_moves_on_the_next_run():
    matchmaking = matchmaking_make(slots=2, tables=1)
    ana, bo = profile_make(matchmaking, 1), profile_make(matchmaking, 2)
    ab = _accepted(ana, bo)
    services.schedule_run(matchmaking=matchmaking)
    first = Meeting.objects.get().slot
    other = matchmaking.slots.exclude(pk=first.pk).get()
    services.profile_save(
        matchmaking=matchmaking,
        registration=ana.registration,
        organisation="A",
        offers="",
        needs="",
        slots=[other],
    )
    assert selectors.schedule_conflicts(matchmaking) == [
        f"person {ana.pk} is not available in slot {first.pk} (request {ab.pk})"
    ]
    plan = services.schedule_run(matchmaking=matchmaking)
    assert Meeting.objects.get().slot == other
    assert plan.moved == 1
    assert selectors.schedule_conflicts(matchmaking) == []


def test_outcomes_are_written_by_each_side_and_held_by_the_organiser():
    matchmaking = matchmaking_make()
    ana, bo, cy = (profile_make(matchmaking, n) for n in (1, 2, 3))
    _accepted(ana, bo)
    services.schedule_run(matchmaking=matchmaking)
    meeting = Meeting.objects.get()
    services.meeting_outcome_set(meeting=meeting, by=ana, text=" A pilot in spring ")
    services.meeting_outcome_set(meeting=meeting, by=bo, text="Quote sent")
    with pytest.raises(MatchmakingRefused):
        services.meeting_outcome_set(meeting=meeting, by=cy, text="Not mine")
    services.meeting_held_set(meeting=meeting, held=True)
    meeting.refresh_from_db()
    assert (meeting.requester_outcome, meeting.recipient_outcome, meeting.status) == (
        "A pilot in spring",
        "Quote sent",
        "held",
    )


def test_agendas_are_sent_once_per_plan_with_the_calendar(django_capture_on_commit_callbacks):
    matchmaking = matchmaking_make(slots=1, tables=1)
    ana = profile_make(matchmaking, 1, name="Ana Novak", language="sv")
    bo = profile_make(matchmaking, 2, name="Bo Berg")
    _accepted(ana, bo)
    services.schedule_run(matchmaking=matchmaking)
    matchmaking.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.agendas_send(matchmaking=matchmaking) == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.agendas_send(matchmaking=matchmaking)  # same plan: nothing again
    assert sorted(m.to[0] for m in mail.outbox) == ["person1@example.org", "person2@example.org"]
    to_ana = next(m for m in mail.outbox if m.to == ["person1@example.org"])
    assert to_ana.subject == "Dina möten på Smart Café in Testville"
    assert "Bo Berg (Organisation 2)" in to_ana.body
    token = re.search(r"/sv/matchmaking/([^/]+)/agenda/", to_ana.body).group(1)
    assert registration_from_token(token) == ana.registration
    (name, content, mimetype) = to_ana.attachments[0]
    assert (name, mimetype) == ("meetings.ics", "text/calendar; charset=utf-8; method=PUBLISH")
    assert "SUMMARY:Möte med Bo Berg (Organisation 2)" in content


def test_a_request_cancelled_while_the_solver_runs_is_not_written(monkeypatch):
    matchmaking = matchmaking_make(slots=2, tables=1)
    ana, bo, cy = (profile_make(matchmaking, n) for n in (1, 2, 3))
    ab, ac = _accepted(ana, bo), _accepted(ana, cy)
    solve = scheduler.schedule
    calls = []

    def cancel_during_first_solve(problem, **options):
        plan = solve(problem, **options)
        if not calls:
            services.meeting_request_cancel(request=ab, by=bo)
        calls.append(len(plan.placements))
        return plan

    monkeypatch.setattr(scheduler, "schedule", cancel_during_first_solve)
    services.schedule_run(matchmaking=matchmaking)
    assert calls == [2, 1]
    assert list(Meeting.objects.values_list("request_id", flat=True)) == [ac.pk]
