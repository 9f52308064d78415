import json

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from villagehub.core.types import AuthenticatedHttpRequest

from . import overview, services
from .decorators import role_required
from .forms import EraseConfirmForm, LanguageForm, PersonLookupForm
from .selectors import language_of


def _json_download(data: dict, filename: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def my_data_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    data = overview.person_data(email=request.user.email, user=request.user)
    return render(
        request,
        "accounts/my_data.html",
        {
            "data": data,
            "form": EraseConfirmForm(),
            "language": translation.get_language_info(language_of(request.user))["name_local"],
            **overview.followed_news(request.user),
        },
    )


@login_required
def themes_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    from .forms import FollowForm

    # An empty selection posts no field at all: still a submitted form.
    form = FollowForm(
        request.POST if request.method == "POST" else None,
        initial={"themes": list(request.user.followed_themes.values_list("theme_id", flat=True))},
    )
    if request.method == "POST" and form.is_valid():
        services.themes_follow_set(user=request.user, themes=form.cleaned_data["themes"])
        messages.success(request, _("Saved."))
        return redirect("accounts:my-data")
    return render(request, "accounts/themes.html", {"form": form})


@login_required
def language_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST or None, initial={"language": language_of(request.user)})
    if request.method == "POST" and form.is_valid():
        services.account_language_set(user=request.user, language=form.cleaned_data["language"])
        messages.success(request, _("Saved."))
        return redirect("accounts:my-data")
    return render(
        request, "accounts/language.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def my_data_download_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _json_download(
        overview.person_data(email=request.user.email, user=request.user), "my-data.json"
    )


@require_POST
@reauthentication_required
def my_account_delete_view(request):
    form = EraseConfirmForm(request.POST)
    if not form.is_valid():
        data = overview.person_data(email=request.user.email, user=request.user)
        return render(request, "accounts/my_data.html", {"data": data, "form": form}, status=400)
    user = request.user
    logout(request)
    services.person_erase(email=user.email, user=user)
    messages.success(request, _("Your account and your personal data have been erased."))
    return redirect("home")


# Export and erasure for others: people who manage events in the back office, signed in
# with two-factor authentication.
data_officer_required = role_required(
    lambda user: user.has_perm("events.change_event"), denied=PermissionDenied
)


@data_officer_required
def person_view(request):
    """Find a person by e-mail address (with or without an account); export or erase."""
    from django.contrib.auth import get_user_model

    form = PersonLookupForm(request.POST or request.GET or None)
    data = account = None
    if form.is_valid():
        email = form.cleaned_data["email"].lower()
        account = get_user_model().objects.filter(email__iexact=email).first()
        data = overview.person_data(email=email, user=account)
        if request.method == "POST" and request.POST.get("action") == "download":
            return _json_download(data, "person-data.json")
        if request.method == "POST" and request.POST.get("action") == "erase":
            if account == request.user:
                messages.error(request, _("Erase your own account from “My data”."))
            else:
                erased = services.person_erase(email=email, user=account)
                messages.success(
                    request,
                    _("Erased: %(email)s (%(count)s registrations anonymised).")
                    % {"email": email, "count": erased},
                )
                return redirect("accounts:person")
    return render(
        request,
        "accounts/person.html",
        {"form": form, "data": data, "account": account},
        status=400 if form.errors else 200,
    )


@login_required
def api_tokens_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    from .forms import ApiTokenForm, ApiTokenRevokeForm

    form = ApiTokenForm(request.POST or None)
    key = None
    status = 200
    if request.method == "POST" and "revoke" in request.POST:
        revoke = ApiTokenRevokeForm(request.POST)
        if revoke.is_valid():
            services.api_token_revoke(user=request.user, pk=revoke.cleaned_data["revoke"])
            messages.success(request, _("The token has been revoked."))
            return redirect("accounts:api-tokens")
        form, status = ApiTokenForm(), 400
        messages.error(request, _("“revoke” must name one of your tokens."))
    elif request.method == "POST" and form.is_valid():
        _token, key = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "key": key, "tokens": request.user.api_tokens.all()},
        status=status,
    )
