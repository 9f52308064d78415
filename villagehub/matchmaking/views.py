"""Pages for one-to-one meetings. Participants reach theirs through their personal
registration link (no account needed); organisers through the events' organiser guard."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from villagehub.core.forms import form_errors_add
from villagehub.events.selectors import LinkInvalid, event_when
from villagehub.events.views import manage_required

from . import selectors, services
from .forms import OutcomeForm, ProfileForm, RequestForm, SettingsForm, SlotForm, slot_label
from .models import Meeting


def participant_required(view):
    """Finds who asks from the personal link; some pages also need a filled profile."""

    @wraps(view)
    def wrapper(request, token, *args, **kwargs):
        try:
            participant = selectors.participant_from_token(token)
        except LinkInvalid as invalid:
            return render(request, "events/link_invalid.html", {"code": invalid.code}, status=400)
        return view(request, participant, *args, **kwargs)

    return wrapper


def _profile_or_redirect(request, participant):
    if participant.profile is None:
        messages.info(request, _("Please fill in your profile first."))
        return redirect("matchmaking:profile", token=participant.token)
    return None


def _refused(request, refused: services.MatchmakingRefused) -> None:
    messages.error(request, str(refused))


@participant_required
def profile_view(request, participant):
    matchmaking, profile = participant.matchmaking, participant.profile
    initial = (
        {
            "organisation": profile.organisation,
            "offers": profile.offers,
            "needs": profile.needs,
            "available_slots": [str(s.pk) for s in profile.available_slots.all()],
        }
        if profile
        else {
            "organisation": participant.registration.organisation,
            "available_slots": [
                str(pk)
                for pk in matchmaking.slots.filter(is_break=False).values_list("pk", flat=True)
            ],
        }
    )
    form = ProfileForm(request.POST or None, matchmaking=matchmaking, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_save(
                matchmaking=matchmaking,
                registration=participant.registration,
                organisation=form.cleaned_data["organisation"],
                offers=form.cleaned_data["offers"],
                needs=form.cleaned_data["needs"],
                slots=form.chosen_slots(),
            )
        except services.MatchmakingRefused as refused:
            _refused(request, refused)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect(request.path)
    requests = list(selectors.requests_of(profile)) if profile else []
    return render(
        request,
        "matchmaking/profile.html",
        {
            "participant": participant,
            "event": matchmaking.event,
            "when": event_when(matchmaking.event),
            "form": form,
            "incoming": [r for r in requests if r.recipient_id == profile.pk],
            "outgoing": [r for r in requests if r.requester_id == profile.pk],
        },
        status=400 if form.errors else 200,
    )


@participant_required
def participants_view(request, participant):
    if response := _profile_or_redirect(request, participant):
        return response
    q = request.GET.get("q", "")[:200]
    return render(
        request,
        "matchmaking/participants.html",
        {
            "participant": participant,
            "event": participant.matchmaking.event,
            "q": q,
            "profiles": selectors.participants_browse(profile=participant.profile, q=q),
        },
    )


@participant_required
def participant_view(request, participant, pk):
    if response := _profile_or_redirect(request, participant):
        return response
    other = selectors.profile_get_for_participant(profile=participant.profile, pk=pk)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_request_create(
                requester=participant.profile, recipient=other, **form.cleaned_data
            )
        except services.MatchmakingRefused as refused:
            _refused(request, refused)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Your request has been sent."))
            return redirect("matchmaking:profile", token=participant.token)
    return render(
        request,
        "matchmaking/participant.html",
        {
            "participant": participant,
            "event": participant.matchmaking.event,
            "other": other,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@require_POST
@participant_required
def request_action_view(request, participant, pk):
    if response := _profile_or_redirect(request, participant):
        return response
    found = selectors.request_get_for_participant(profile=participant.profile, pk=pk)
    action = request.POST.get("action")
    try:
        if action in ("accept", "decline"):
            services.meeting_request_decide(
                request=found, by=participant.profile, accept=action == "accept"
            )
        elif action == "cancel":
            services.meeting_request_cancel(request=found, by=participant.profile)
        else:
            messages.error(request, _("Unknown action."))
            return redirect("matchmaking:profile", token=participant.token)
    except services.MatchmakingRefused as refused:
        _refused(request, refused)
    else:
        messages.success(request, _("Saved."))
    return redirect("matchmaking:profile", token=participant.token)


@participant_required
def agenda_view(request, participant):
    if response := _profile_or_redirect(request, participant):
        return response
    profile = participant.profile
    zone = participant.matchmaking.event.zone
    meetings = [
        (meeting, selectors.meeting_partner(meeting, profile), slot_label(meeting.slot, zone))
        for meeting in selectors.agenda(profile)
    ]
    return render(
        request,
        "matchmaking/agenda.html",
        {
            "participant": participant,
            "event": participant.matchmaking.event,
            "meetings": meetings,
            "outcome_form": OutcomeForm(),
        },
    )


@participant_required
def agenda_ics_view(request, participant):
    if participant.profile is None:
        raise Http404(_("Please fill in your profile first."))
    response = HttpResponse(
        selectors.agenda_ical(participant.profile), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="meetings.ics"'
    return response


@require_POST
@participant_required
def meeting_outcome_view(request, participant, pk):
    if response := _profile_or_redirect(request, participant):
        return response
    meeting = selectors.meeting_get_for_participant(profile=participant.profile, pk=pk)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        services.meeting_outcome_set(
            meeting=meeting, by=participant.profile, text=form.cleaned_data["text"]
        )
        messages.success(request, _("Saved."))
    else:
        messages.error(request, _("What came of it: at most 2,000 characters."))
    return redirect("matchmaking:agenda", token=participant.token)


# Organisers ---------------------------------------------------------------------------


def _posted_id(request, name: str) -> int:
    value = request.POST.get(name, "")
    if not value.isdigit():
        raise Http404
    return int(value)


def _manage_post(request, event, matchmaking, forms):
    """One organiser action; a response when it is done, None to show the page again."""
    action = request.POST.get("action")
    if action == "settings":
        forms["settings"] = SettingsForm(request.POST)
        if not forms["settings"].is_valid():
            return None
        services.matchmaking_configure(event=event, **forms["settings"].cleaned_data)
    elif matchmaking and action == "slot":
        forms["slot"] = slot_form = SlotForm(request.POST, zone=event.zone)
        if not slot_form.is_valid():
            return None
        try:
            services.slot_add(
                matchmaking=matchmaking,
                starts_at=slot_form.cleaned_data["starts_at"],
                ends_at=slot_form.cleaned_data["ends_at"],
                is_break=slot_form.cleaned_data["is_break"],
            )
        except ValidationError as error:
            form_errors_add(slot_form, error)
            return None
    elif matchmaking and action == "remove_slot":
        slot = matchmaking.slots.filter(pk=_posted_id(request, "slot")).first()
        if slot is None:
            raise Http404(_("There is no such slot."))
        services.slot_remove(slot=slot)
    elif matchmaking and action in ("schedule", "schedule_fresh"):
        try:
            plan = services.schedule_run(matchmaking=matchmaking, keep=action == "schedule")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Meetings placed: %(placed)s; moved: %(moved)s.")
                % {"placed": len(plan.placements), "moved": plan.moved},
            )
        return redirect(request.path)
    elif matchmaking and action == "agendas":
        count = services.agendas_send(matchmaking=matchmaking)
        messages.success(request, _("Agendas queued: %(count)s.") % {"count": count})
        return redirect(request.path)
    else:
        messages.error(request, _("Unknown action."))
        return redirect(request.path)
    messages.success(request, _("Saved."))
    return redirect(request.path)


@manage_required
def manage_view(request, slug):
    event = selectors.event_get_for_organiser(user=request.user, slug=slug)
    matchmaking = event.matchmaking_or_none
    forms = {
        "settings": SettingsForm(
            initial={
                "is_open": matchmaking.is_open if matchmaking else True,
                "tables": matchmaking.tables if matchmaking else 10,
            }
        ),
        "slot": SlotForm(zone=event.zone),
    }
    if request.method == "POST" and (response := _manage_post(request, event, matchmaking, forms)):
        return response
    context = {
        "event": event,
        "matchmaking": matchmaking,
        "settings_form": forms["settings"],
        "slot_form": forms["slot"],
    }
    if matchmaking:
        context |= {
            "slots": [(s, slot_label(s, event.zone)) for s in matchmaking.slots.all()],
            "summary": selectors.matchmaking_summary(matchmaking),
        }
    status = 400 if forms["settings"].errors or forms["slot"].errors else 200
    return render(request, "matchmaking/manage.html", context, status=status)


@manage_required
def plan_view(request, slug):
    event = selectors.event_get_for_organiser(user=request.user, slug=slug)
    matchmaking = event.matchmaking_or_none
    if matchmaking is None:
        raise Http404(_("This event offers no one-to-one meetings."))
    if request.method == "POST":
        meeting = Meeting.objects.filter(
            matchmaking=matchmaking, pk=_posted_id(request, "meeting")
        ).first()
        if meeting is None:
            raise Http404(_("There is no such meeting."))
        services.meeting_held_set(meeting=meeting, held=request.POST.get("held") == "1")
        return redirect(request.path)
    rows = [
        (slot, slot_label(slot, event.zone), cells)
        for slot, cells in selectors.table_plan(matchmaking)
    ]
    return render(
        request,
        "matchmaking/plan.html",
        {
            "event": event,
            "matchmaking": matchmaking,
            "rows": rows,
            "tables": range(1, matchmaking.tables + 1),
        },
    )
