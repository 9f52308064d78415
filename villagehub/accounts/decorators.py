"""One guard for the pages of people with a role: signed in, holding the role, with
two-factor authentication turned on (coordinators must use it) and passed in this session."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.urls import reverse

from .selectors import two_factor_enabled, two_factor_passed


def role_required(
    allowed: Callable,
    *,
    two_factor_message=None,
    denied: type[Exception] = Http404,
    role_first: bool = False,
):
    """`allowed(user)` says whether the person holds the role; without it they get `denied`
    (a 404 by default, so a page reveals nothing). `role_first` checks the role before
    asking for two-factor authentication."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if role_first and not allowed(user):
                raise denied
            if not two_factor_enabled(user):
                if two_factor_message:
                    messages.info(request, two_factor_message)
                return redirect_to_login(request.get_full_path(), reverse("mfa_activate_totp"))
            if not two_factor_passed(request):
                return redirect_to_login(request.get_full_path(), reverse("mfa_reauthenticate"))
            if not role_first and not allowed(user):
                raise denied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
