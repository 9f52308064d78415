"""Types that views, services and selectors share.

The hub's people are Django's own `User` (`AUTH_USER_MODEL` keeps its default), so services and
selectors name `User`, not `AbstractBaseUser`: roles, permissions (`has_perm`) and the reverse
relations other apps add (`user.roles`, `user.api_tokens`) are only known on the concrete model.
"""

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest

__all__ = ["AnyUser", "AuthenticatedHttpRequest", "User"]

# Who a page or an endpoint may be asked by: a signed-in person or a visitor.
AnyUser: TypeAlias = User | AnonymousUser


class AuthenticatedHttpRequest(HttpRequest):
    """The request a view behind `login_required` receives: its user is signed in.

    Only for annotations: Django builds the request, this class says what the decorator
    guarantees (django-stubs types `request.user` as possibly anonymous)."""

    user: User
