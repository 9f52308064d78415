from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from villagehub.accounts.selectors import networks_coordinated
from villagehub.contributions.selectors import communities_edited_by, communities_reviewed_by
from villagehub.contributions.services import practice_propose_from_match
from villagehub.core.types import AuthenticatedHttpRequest

from . import follow_ups, services
from .models import FollowUp


def _id(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


@login_required
@require_POST
def follow_up_start_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    need, solution = follow_ups.match_get_for_party(
        need_id=_id(request.POST.get("need")),
        solution_id=_id(request.POST.get("solution")),
        user=request.user,
    )
    services.follow_up_start(need=need, solution=solution, by=request.user)
    messages.success(request, _("You follow this match."))
    return redirect("matching:follow-ups")


@login_required
def follow_up_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        follow_up = follow_ups.follow_up_get_for_party(
            pk=_id(request.POST.get("pk")), user=request.user
        )
        try:
            services.follow_up_advance(follow_up=follow_up, stage=request.POST.get("stage", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("matching:follow-ups")
    return render(
        request,
        "matching/follow_ups.html",
        {
            "follow_ups": follow_ups.follow_ups_of(request.user).select_related(
                "submission", "practice"
            ),
            # The last stage is reached by publishing the practice, not chosen.
            "stages": FollowUp.Stage.choices[:-1],
            "edited": set(communities_edited_by(request.user).values_list("pk", flat=True)),
        },
    )


@login_required
@require_POST
def follow_up_practice_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    follow_up = follow_ups.follow_up_get_for_community_editor(pk=pk, user=request.user)
    try:
        submission = practice_propose_from_match(follow_up=follow_up, author=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("matching:follow-ups")
    if submission.author_id != request.user.pk:
        messages.info(request, _("Another editor of the community has started this proposal."))
        return redirect("matching:follow-ups")
    messages.success(
        request,
        _("A practice proposal was started from the match: complete it and send it for review."),
    )
    return redirect("contributions:submission", pk=submission.pk)


@login_required
def pipeline_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not (
        communities_reviewed_by(request.user).exists()
        or networks_coordinated(request.user).exists()
    ):
        return render(request, "404.html", status=404)
    return render(
        request,
        "matching/pipeline.html",
        {"pipeline": follow_ups.pipeline(user=request.user, language=get_language() or "en")},
    )
