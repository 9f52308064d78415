from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from villagehub.accounts.decorators import role_required
from villagehub.accounts.selectors import networks_coordinated
from villagehub.communities.models import Network
from villagehub.contributions.selectors import community_get_for_editor
from villagehub.core.forms import form_errors_add
from villagehub.core.types import AuthenticatedHttpRequest
from villagehub.matching.selectors import solutions_for_need
from villagehub.taxonomy.models import Theme

from . import selectors, services
from .forms import (
    ActionForm,
    IndicatorForm,
    IndicatorValueForm,
    NeedForm,
    NetworkActionsFilterForm,
    ObjectiveForm,
    StrategyForm,
)
from .models import Action, Indicator, Strategy
from .pdf import strategy_pdf

reviewer_required = role_required(
    lambda user: selectors.strategies_reviewed_by(user).exists(),
    two_factor_message=gettext_lazy(
        "Reviewing needs two-factor authentication: please set it up first."
    ),
    role_first=True,
)
# A network's strategy is written by its coordinators, who use two-factor authentication.
network_editor_required = role_required(
    lambda user: networks_coordinated(user).exists(),
    two_factor_message=gettext_lazy(
        "Writing a network's strategy needs two-factor authentication: please set it up first."
    ),
    role_first=True,
)


def _urls(kind: str, owner) -> dict[str, str]:
    """The addresses of a community's or a network's strategy pages."""
    prefix = "" if kind == "community" else "network-"
    return {
        name: reverse(f"strategies:{prefix}{name}", kwargs={"slug": owner.slug})
        for name in ("strategy", "pdf", "edit", "review")
    }


def strategy_view(request, slug, kind="community"):
    owner, version = selectors.strategy_version(kind=kind, slug=slug)
    context = {"community": owner, "kind": kind, "urls": _urls(kind, owner), "version": version}
    if version is not None:
        context["snapshot"] = version.snapshot
        context["progress"] = selectors.strategy_progress(
            version.snapshot, selectors.hub_latest_values(owner)
        )
    return render(request, "strategies/strategy.html", context, status=200 if version else 404)


def strategy_pdf_view(request, slug, kind="community"):
    owner, version = selectors.strategy_version(kind=kind, slug=slug)
    if version is None:
        raise Http404
    content = strategy_pdf(
        owner_name=owner.name,
        snapshot=version.snapshot,
        progress=selectors.strategy_progress(version.snapshot, selectors.hub_latest_values(owner)),
        version=version.number,
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="strategy-{owner.slug}.pdf"'
    return response


def network_actions_view(request, slug):
    network = get_object_or_404(Network, slug=slug)
    language = get_language() or "en"
    themes = [(t.slug, t.localized("name", language).text) for t in Theme.objects.all()]
    form = NetworkActionsFilterForm(request.GET, themes=sorted(themes, key=lambda t: t[1]))
    chosen = form.cleaned_data if form.is_valid() else {}
    return render(
        request,
        "strategies/network_actions.html",
        {
            "network": network,
            "form": form,
            "filtered": bool(chosen.get("theme") or chosen.get("status")),
            "actions": selectors.network_actions(
                network=network,
                language=language,
                theme=chosen.get("theme", ""),
                status=chosen.get("status", ""),
            ),
        },
        status=200 if form.is_valid() else 400,
    )


def need_view(request, pk):
    need = selectors.need_get_published(pk=pk)
    return render(
        request,
        "strategies/need.html",
        {
            "need": need,
            "proposals": solutions_for_need(need=need, limit=5),
            "may_follow": selectors.strategies_edited_by(request.user)
            .filter(pk=need.strategy_id)
            .exists(),
        },
    )


STRATEGY_FIELDS = (
    "title",
    "language",
    "vision",
    "needs_analysis",
    "assets_analysis",
    "meetings_held",
    "people_involved",
)
# Each part's form and the service that adds what it holds.
ADD_FORMS: dict[str, tuple[type[Form], Callable[..., object]]] = {
    "objective": (ObjectiveForm, services.objective_add),
    "action": (ActionForm, services.action_add),
    "indicator": (IndicatorForm, services.indicator_add),
    "need": (NeedForm, services.need_add),
}


def _post(request, strategy: Strategy, forms: dict) -> bool:
    """Handle one posted editor form; True when it succeeded."""
    part = request.POST.get("part")
    if part in ADD_FORMS:
        form_class, add = ADD_FORMS[part]
        form = forms[part] = form_class(request.POST, prefix=part)
        if form.is_valid():
            try:
                add(strategy=strategy, **form.cleaned_data)
            except ValidationError as error:
                form_errors_add(form, error, name_others=True)
                return False
            return True
        return False
    if part == "strategy":
        form = forms["strategy"] = StrategyForm(request.POST, prefix="strategy")
        if form.is_valid():
            services.strategy_update(strategy=strategy, **form.cleaned_data)
            return True
        return False
    if part == "status":
        action = get_object_or_404(Action, strategy=strategy, pk=request.POST.get("pk") or 0)
        services.action_status_set(action=action, status=request.POST.get("status", ""))
        return True
    if part == "value":
        indicator = get_object_or_404(Indicator, strategy=strategy, pk=request.POST.get("pk") or 0)
        form = IndicatorValueForm(request.POST)
        if form.is_valid():
            services.indicator_value_set(indicator=indicator, **form.cleaned_data)
            return True
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return False
    if part == "delete":
        services.strategy_part_delete(
            strategy=strategy,
            kind=request.POST.get("kind", ""),
            pk=int(request.POST.get("pk") or 0) if request.POST.get("pk", "").isdigit() else 0,
        )
        return True
    if part == "submit":
        services.strategy_submit(strategy=strategy)
        messages.success(
            request, _("Sent for review: the coordinators will publish it or write back.")
        )
        return True
    return False


def _strategy_edit(request, owner, kind: str):
    urls = _urls(kind, owner)
    strategy = Strategy.objects.filter(**{kind: owner}).first()
    if strategy is None:
        form = StrategyForm(
            request.POST or None,
            prefix="strategy",
            initial={"language": getattr(owner, "language", "") or get_language()},
        )
        if request.method == "POST" and form.is_valid():
            services.strategy_create(**{kind: owner}, **form.cleaned_data)
            return redirect(urls["edit"])
        return render(
            request,
            "strategies/strategy_new.html",
            {"community": owner, "kind": kind, "urls": urls, "form": form},
            status=400 if form.errors else 200,
        )
    forms = {
        "strategy": StrategyForm(
            prefix="strategy",
            initial={f: getattr(strategy, f) for f in STRATEGY_FIELDS},
        ),
        **{part: form_class(prefix=part) for part, (form_class, _add) in ADD_FORMS.items()},
    }
    if request.method == "POST":
        try:
            if _post(request, strategy, forms):
                return redirect(urls["edit"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(urls["edit"])
    strategy.refresh_from_db()
    return render(
        request,
        "strategies/strategy_edit.html",
        {
            "community": owner,
            "kind": kind,
            "urls": urls,
            "strategy": strategy,
            "forms": forms,
            "objectives": strategy.objectives.all(),
            "actions": strategy.actions.select_related("funding_source"),
            "indicators": strategy.indicators.all(),
            "needs": strategy.needs.all(),
            "statuses": Action.Status.choices,
        },
        status=400 if any(f.errors for f in forms.values()) else 200,
    )


@login_required
def strategy_edit_view(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    community = community_get_for_editor(slug=slug, user=request.user)
    return _strategy_edit(request, community, "community")


@network_editor_required
def network_strategy_edit_view(request, slug):
    network = selectors.network_get_for_strategy_editor(slug=slug, user=request.user)
    return _strategy_edit(request, network, "network")


def _strategy_review(request, strategy: Strategy, kind: str):
    owner = strategy.community if kind == "community" else strategy.network
    urls = _urls(kind, owner)
    if request.method == "POST":
        try:
            services.strategy_publish(strategy=strategy, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Published."))
            return redirect(urls["strategy"])
    snapshot = selectors.strategy_snapshot(strategy)
    return render(
        request,
        "strategies/strategy_review.html",
        {
            "community": owner,
            "kind": kind,
            "urls": urls,
            "strategy": strategy,
            "snapshot": snapshot,
            "progress": selectors.strategy_progress(snapshot, selectors.hub_latest_values(owner)),
        },
    )


@reviewer_required
def strategy_review_view(request, slug):
    strategy = selectors.strategy_get_for_reviewer(community_slug=slug, user=request.user)
    return _strategy_review(request, strategy, "community")


@reviewer_required
def network_strategy_review_view(request, slug):
    strategy = selectors.strategy_get_for_reviewer(network_slug=slug, user=request.user)
    return _strategy_review(request, strategy, "network")


@login_required
@require_POST
def strategy_submit_view(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    strategy = selectors.strategy_get_for_editor(community_slug=slug, user=request.user)
    try:
        services.strategy_submit(strategy=strategy)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("strategies:edit", slug=slug)
