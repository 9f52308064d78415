from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from villagehub.accounts.decorators import role_required
from villagehub.contributions.selectors import organisation_get_for_editor, organisations_edited_by
from villagehub.core.filters import filters_parse, paginate
from villagehub.core.forms import form_errors_add
from villagehub.core.types import AuthenticatedHttpRequest
from villagehub.matching.selectors import needs_for_solution
from villagehub.organisations.models import Organisation
from villagehub.taxonomy.models import Theme

from . import selectors, services
from .forms import ReferenceForm, ReturnForm, SolutionForm, solution_initial
from .models import Solution

# Coordinators review with two-factor authentication turned on; others get a 404.
reviewer_required = role_required(
    selectors.reviews_solutions,
    two_factor_message=gettext_lazy(
        "Reviewing needs two-factor authentication: please set it up first."
    ),
    role_first=True,
)


def solution_list_view(request):
    filters, problems = filters_parse(selectors.SolutionFilterForm, request.GET)
    page = paginate(selectors.solution_list(filters=filters), request.GET)
    return render(
        request,
        "solutions/solution_list.html",
        {
            "page": page,
            "filters": filters,
            "problems": problems,
            "themes": Theme.objects.all(),
            "trls": range(1, 10),
        },
    )


def solution_detail_view(request, slug):
    solution = selectors.solution_get_published(slug=slug)
    return render(
        request,
        "solutions/solution_detail.html",
        {
            "solution": solution,
            "proposals": needs_for_solution(solution=solution, limit=5),
            "may_follow": selectors.organisations_edited_by(request.user)
            .filter(pk=solution.provider_id)
            .exists(),
        },
    )


@login_required
def solution_mine_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "solutions/solution_mine.html",
        {
            "solutions": selectors.solutions_edited_by(request.user).select_related("provider"),
            "providers": organisations_edited_by(request.user).filter(
                kind=Organisation.Kind.SOLUTION_PROVIDER
            ),
            "review": selectors.solutions_for_review(request.user),
        },
    )


def _solution_form(request, *, provider, solution=None):
    form = SolutionForm(
        request.POST or None, initial=solution_initial(solution) if solution else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            if solution is None:
                solution = services.solution_create(provider=provider, **form.cleaned_data)
            else:
                solution = services.solution_update(solution=solution, **form.cleaned_data)
            if "submit" in request.POST:
                services.solution_submit(solution=solution)
        except ValidationError as error:
            form_errors_add(form, error, name_others=True)
        else:
            messages.success(
                request,
                _("Sent for review: the coordinators will publish it or write back.")
                if solution.status == Solution.Status.SUBMITTED
                else _("Draft saved."),
            )
            return redirect("solutions:mine")
    return render(
        request,
        "solutions/solution_form.html",
        {"form": form, "provider": provider, "solution": solution},
        status=400 if form.errors else 200,
    )


@login_required
def solution_new_view(request, provider):
    organisation = organisation_get_for_editor(slug=provider, user=request.user)
    if organisation.kind != Organisation.Kind.SOLUTION_PROVIDER:
        raise Http404
    return _solution_form(request, provider=organisation)


@login_required
def solution_edit_view(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    solution = selectors.solution_get_for_editor(slug=slug, user=request.user)
    if solution.status not in Solution.EDITABLE:
        messages.info(request, _("A solution waiting for review cannot be edited."))
        return redirect("solutions:mine")
    return _solution_form(request, provider=solution.provider, solution=solution)


@login_required
def reference_add_view(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    solution = selectors.solution_get_for_editor(slug=slug, user=request.user)
    form = ReferenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reference_installation_add(solution=solution, **form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error, name_others=True)
        else:
            messages.success(request, _("Reference installation added."))
            return redirect("solutions:reference-add", slug=solution.slug)
    return render(
        request,
        "solutions/reference_form.html",
        {
            "form": form,
            "solution": solution,
            "references": solution.references.select_related("community"),
        },
        status=400 if form.errors else 200,
    )


@reviewer_required
def solution_review_view(request, slug):
    solution = selectors.solution_get_for_reviewer(slug=slug, user=request.user)
    form = ReturnForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("action") == "publish":
            services.solution_publish(solution=solution, by=request.user)
            messages.success(request, _("Published."))
            return redirect(solution.get_absolute_url())
        if form.is_valid():
            services.solution_return(
                solution=solution, by=request.user, comment=form.cleaned_data["comment"]
            )
            messages.success(request, _("Returned to the editor with your comment."))
            return redirect("solutions:mine")
    return render(
        request,
        "solutions/solution_review.html",
        {"solution": solution, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def solution_submit_view(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    solution = selectors.solution_get_for_editor(slug=slug, user=request.user)
    try:
        services.solution_submit(solution=solution)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Sent for review: the coordinators will publish it or write back.")
        )
    return redirect("solutions:mine")
