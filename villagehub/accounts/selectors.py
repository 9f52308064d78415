"""Who may do what: every lookup that depends on the person asking goes through here."""

from typing import TYPE_CHECKING

from allauth.account.authentication import get_authentication_records
from django.db.models import QuerySet
from django.http import HttpRequest

from villagehub.core.types import AnyUser, User

from .models import Role

if TYPE_CHECKING:
    from villagehub.communities.models import Network


def networks_coordinated(user: AnyUser) -> "QuerySet[Network]":
    from villagehub.communities.models import Network

    if not user.is_authenticated:
        return Network.objects.none()
    return Network.objects.filter(
        pk__in=Role.objects.filter(user=user, kind=Role.Kind.COORDINATOR).values("network_id")
    )


def two_factor_enabled(user: User) -> bool:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import is_mfa_enabled

    return bool(is_mfa_enabled(user, types=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]))


def two_factor_passed(request: HttpRequest) -> bool:
    """Whether this session proved the second factor: allauth records every authentication
    step of a session (password, then "mfa" at sign-in or on re-authentication). Having an
    authenticator is not enough: a session opened with the password alone has no such step."""
    return any(
        record.get("method") == "mfa"
        for record in get_authentication_records(request, request.user)
    )
