"""The back office signs people in through the hub's own login (django-allauth), never through
a form of its own: the same rate limits, lock-out and second factor as everywhere else."""

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from .selectors import two_factor_enabled, two_factor_passed


class HubAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        """Staff, and if they have an authenticator, having passed it in this session."""
        return super().has_permission(request) and (
            not two_factor_enabled(request.user) or two_factor_passed(request)
        )

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        """Send people to the hub's sign-in (or, signed in with the password alone, to the
        second factor) and back; staff who may enter go straight in."""
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("admin:index", current_app=self.name)
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(next_url, reverse("account_login"))
        if self.has_permission(request):
            return redirect(next_url)
        if user.is_active and user.is_staff:
            return redirect_to_login(next_url, reverse("mfa_reauthenticate"))
        raise PermissionDenied
