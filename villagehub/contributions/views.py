from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_countries import countries

from villagehub.accounts.decorators import role_required
from villagehub.accounts.selectors import (
    networks_coordinated,
    two_factor_enabled,
    two_factor_passed,
)
from villagehub.communities.models import Community, Network
from villagehub.core.forms import form_errors_add
from villagehub.core.types import User
from villagehub.countries.models import Factsheet
from villagehub.events.selectors import events_managed_by
from villagehub.organisations.models import Organisation

from . import selectors, services
from .forms import (
    CommunityProfileForm,
    DatasetForm,
    FactsheetForm,
    InvitationForm,
    NewCommunityForm,
    NewProviderForm,
    OrganisationProfileForm,
    PracticeProposalForm,
    ReturnForm,
    RoleRequestForm,
)
from .models import Submission


def _reviews(user: User) -> bool:
    return (
        selectors.communities_reviewed_by(user).exists()
        or selectors.reviews_new_communities(user)
        or selectors.reviews_organisations(user)
        or selectors.invites_organisation_editors(user)
    )


# Coordinators review with two-factor authentication turned on; others get a 404.
reviewer_required = role_required(
    _reviews,
    two_factor_message=gettext_lazy(
        "Reviewing needs two-factor authentication: please set it up first."
    ),
    role_first=True,
)


@login_required
def dashboard_view(request):
    """A person's contributions and, for reviewers whose session passed two-factor
    authentication, what waits for their review (others get a link to pass it)."""
    user = request.user
    context = {
        "communities": selectors.communities_edited_by(user).prefetch_related("practices"),
        "organisations": selectors.organisations_edited_by(user),
        "networks": networks_coordinated(user).order_by("name"),
        "factsheet_countries": sorted(
            {
                (n.country.code.lower(), str(n.country.name))
                for n in selectors.factsheet_networks(user)
            },
            key=lambda c: c[1],
        ),
        "submissions": Submission.objects.filter(author=user).select_related("community"),
        "requests": user.role_requests.select_related("community"),
    }
    if _reviews(user) and two_factor_enabled(user) and two_factor_passed(request):
        context["review_submissions"] = selectors.submissions_for_review(user)
        context["review_requests"] = selectors.role_requests_for_review(user)
        if selectors.communities_reviewed_by(user).exists() or (
            selectors.invites_organisation_editors(user)
        ):
            context["invite_form"] = InvitationForm(user=user)
    elif _reviews(user):
        step = "mfa_reauthenticate" if two_factor_enabled(user) else "mfa_activate_totp"
        context["two_factor_url"] = (
            f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}"
        )
    return render(request, "contributions/dashboard.html", context)


@reviewer_required
@require_POST
def invitation_create_view(request):
    form = InvitationForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.invitation_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The invitation has been sent."))
    else:
        messages.error(request, " ".join(" ".join(e) for e in form.errors.values()))
    return redirect("contributions:dashboard")


@login_required
def invitation_view(request, token):
    invitation = selectors.invitation_from_token(token)
    if invitation is None:
        return render(request, "contributions/invitation_invalid.html", status=400)
    if request.method == "POST":
        try:
            services.invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("You now edit %(community)s.") % {"community": invitation.target.name},
            )
            return redirect("contributions:dashboard")
    return render(request, "contributions/invitation.html", {"invitation": invitation})


@login_required
def role_request_view(request, slug, kind="community"):
    model = Community if kind == "community" else Organisation
    target = get_object_or_404(model, slug=slug)
    form = RoleRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_request_create(
                user=request.user, message=form.cleaned_data["message"], **{kind: target}
            )
        except ValidationError as error:
            messages.info(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Your request has been sent to the coordinators; you will hear by e-mail."),
            )
        return redirect("contributions:dashboard")
    return render(request, "contributions/role_request.html", {"community": target, "form": form})


def _proposal(
    request,
    *,
    community=None,
    organisation=None,
    practice=None,
    submission=None,
    kind="practice",
    event=None,
    network=None,
    factsheet=None,
):
    kind = submission.kind if submission else kind
    if kind == Submission.Kind.NEW_COMMUNITY:
        initial = {**submission.data, "network": submission.network_id} if submission else None
        if initial is None and request.GET.get("network"):
            # "Propose your community" on a network's page names the network.
            network = Network.objects.filter(slug=request.GET["network"]).first()
            initial = {"network": network.pk} if network else None
        form = NewCommunityForm(request.POST or None, initial=initial)
    elif kind == Submission.Kind.COMMUNITY:
        initial = submission.data if submission else selectors.community_values(community)
        form = CommunityProfileForm(request.POST or None, request.FILES or None, initial=initial)
    elif kind == Submission.Kind.NEW_PROVIDER:
        initial = submission.data if submission else None
        form = NewProviderForm(request.POST or None, initial=initial)
    elif kind == Submission.Kind.ORGANISATION:
        initial = submission.data if submission else selectors.organisation_values(organisation)
        form = OrganisationProfileForm(request.POST or None, initial=initial)
    elif kind == Submission.Kind.FACTSHEET:
        network = network or submission.network
        country = submission.data["country"] if submission else network.country.code
        initial = submission.data if submission else selectors.factsheet_values(factsheet)
        form = FactsheetForm(request.POST or None, initial=initial or None)
    else:
        if submission:
            initial = submission.data
        elif event:
            initial = selectors.practice_values_from_event(event)
        else:
            initial = selectors.practice_values(practice) or None
        form = PracticeProposalForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.submission_save(
                author=request.user,
                community=community,
                organisation=organisation,
                practice=practice,
                submission=submission,
                data=form.cleaned_data
                if kind != Submission.Kind.FACTSHEET
                else {**form.cleaned_data, "country": country},
                submit="submit" in request.POST,
                kind=kind,
                network=form.cleaned_data.get("network") or network,
                image=form.cleaned_data.get("image"),
                event=event,
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request,
                _("Sent for review: the coordinators will publish it or write back.")
                if saved.status == Submission.Status.SUBMITTED
                else _("Draft saved."),
            )
            return redirect("contributions:dashboard")
    return render(
        request,
        "contributions/proposal.html",
        {
            "form": form,
            "community": community or organisation,
            "practice": practice,
            "submission": submission,
            "kind": kind,
            "event": event or (submission.event if submission else None),
            "country": countries.name(country) if kind == Submission.Kind.FACTSHEET else "",
        },
        status=400 if form.errors else 200,
    )


@login_required
def community_new_view(request):
    return _proposal(request, kind=Submission.Kind.NEW_COMMUNITY)


@login_required
def provider_new_view(request):
    return _proposal(request, kind=Submission.Kind.NEW_PROVIDER)


@login_required
def practice_new_view(request, slug):
    community = selectors.community_get_for_editor(slug=slug, user=request.user)
    return _proposal(request, community=community)


@role_required(
    lambda user: events_managed_by(user).exists(),
    two_factor_message=gettext_lazy(
        "Organiser pages need two-factor authentication: please set it up first."
    ),
)
def event_practice_new_view(request, slug):
    """An organiser turns what an event presented into a practice proposal for its host
    community, prefilled from the event; published, the practice is linked to the event."""
    event = get_object_or_404(
        events_managed_by(request.user).filter(host_community__isnull=False), slug=slug
    )
    return _proposal(request, community=event.host_community, event=event)


@login_required
def community_edit_view(request, slug):
    community = selectors.community_get_for_editor(slug=slug, user=request.user)
    return _proposal(request, community=community, kind=Submission.Kind.COMMUNITY)


@login_required
def organisation_edit_view(request, slug):
    organisation = selectors.organisation_get_for_editor(slug=slug, user=request.user)
    return _proposal(request, organisation=organisation, kind=Submission.Kind.ORGANISATION)


@login_required
def practice_edit_view(request, slug):
    practice = selectors.practice_get_for_editor(slug=slug, user=request.user)
    return _proposal(request, community=practice.community, practice=practice)


@login_required
def factsheet_edit_view(request, code):
    network = selectors.factsheet_network_for_coordinator(country=code, user=request.user)
    factsheet = (
        Factsheet.objects.prefetch_related("cap_support").filter(country=code.upper()).first()
    )
    return _proposal(request, network=network, factsheet=factsheet, kind=Submission.Kind.FACTSHEET)


@login_required
def submission_edit_view(request, pk):
    submission = selectors.submission_get_for_editor(pk=pk, user=request.user)
    if submission.status not in Submission.EDITABLE:
        return render(request, "contributions/submission_locked.html", {"submission": submission})
    return _proposal(
        request,
        community=submission.community,
        organisation=submission.organisation,
        practice=submission.practice,
        submission=submission,
    )


@reviewer_required
def review_view(request, pk):
    submission = selectors.submission_get_for_reviewer(pk=pk, user=request.user)
    form = ReturnForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "publish":
                record = services.submission_publish(submission=submission, by=request.user)
                messages.success(request, _("Published."))
                return redirect(record.get_absolute_url())
            if form.is_valid():
                services.submission_return(
                    submission=submission, by=request.user, comment=form.cleaned_data["comment"]
                )
                messages.success(request, _("Returned to the editor with your comment."))
                return redirect("contributions:dashboard")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    rows = selectors.review_rows(submission)
    history = selectors.history_shown(submission, selectors.history(submission))
    compares = bool(submission.practice) or submission.kind in (
        Submission.Kind.COMMUNITY,
        Submission.Kind.ORGANISATION,
        Submission.Kind.FACTSHEET,
    )
    return render(
        request,
        "contributions/review.html",
        {
            "submission": submission,
            "rows": rows,
            "form": form,
            "history": history,
            "compares": compares,
        },
        status=400 if form.errors else 200,
    )


@reviewer_required
@require_POST
def role_request_decide_view(request, pk):
    role_request = selectors.role_request_get_for_reviewer(pk=pk, user=request.user)
    approve = request.POST.get("action") == "approve"
    services.role_request_decide(request=role_request, approve=approve)
    messages.success(request, _("Approved.") if approve else _("Declined."))
    return redirect("contributions:dashboard")


def _dataset_new(request, publisher, publish):
    form = DatasetForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            dataset = publish(form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error, name_others=True)
        else:
            messages.success(request, _("The data set is published in the catalogue."))
            return redirect(dataset.get_absolute_url())
    return render(
        request,
        "contributions/dataset_form.html",
        {"form": form, "community": publisher},
        status=400 if form.errors else 200,
    )


@login_required
def dataset_new_view(request, slug):
    community = selectors.community_get_for_editor(slug=slug, user=request.user)
    return _dataset_new(
        request,
        community,
        lambda values: services.community_dataset_publish(community=community, values=values),
    )


# Coordinators publish for their network, with two-factor authentication as on every
# coordinator page.
coordinator_required = role_required(
    lambda user: networks_coordinated(user).exists(),
    two_factor_message=gettext_lazy(
        "Publishing for a network needs two-factor authentication: please set it up first."
    ),
    role_first=True,
)


@coordinator_required
def network_dataset_new_view(request, slug):
    network = get_object_or_404(networks_coordinated(request.user), slug=slug)
    return _dataset_new(
        request,
        network,
        lambda values: services.network_dataset_publish(
            network=network, by=request.user, values=values
        ),
    )
