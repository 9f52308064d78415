from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from villagehub.contributions.selectors import communities_reviewed_by

from . import follow_ups, services
from .models import FollowUp


def _id(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


@login_required
@require_POST
def follow_up_start_view(request):
    need, solution = follow_ups.match_get_for_party(
        need_id=_id(request.POST.get("need")),
        solution_id=_id(request.POST.get("solution")),
        user=request.user,
    )
    services.follow_up_start(need=need, solution=solution, by=request.user)
    messages.success(request, _("You follow this match."))
    return redirect("matching:follow-ups")


@login_required
def follow_up_list_view(request):
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
        {"follow_ups": follow_ups.follow_ups_of(request.user), "stages": FollowUp.Stage.choices},
    )


@login_required
def pipeline_view(request):
    if not communities_reviewed_by(request.user).exists():
        return render(request, "404.html", status=404)
    return render(
        request,
        "matching/pipeline.html",
        {"pipeline": follow_ups.pipeline(user=request.user, language=get_language() or "en")},
    )
