"""Who may do what: every lookup that depends on the person asking goes through here."""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from allauth.account.authentication import get_authentication_records
from allauth.account.models import EmailAddress
from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest

from villagehub.core.types import AnyUser, User

from .models import Profile, Role

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


def languages_of(user_ids: Iterable[int]) -> dict[int, str]:
    """The language each of these people chose (see `Profile`); those who chose none are
    left out, so that the caller picks the fallback (one query)."""
    return dict(
        Profile.objects.filter(user_id__in=list(user_ids)).values_list("user_id", "language")
    )


def language_of(user: AnyUser, default: str | None = None) -> str:
    """The language a signed-in person chose, else `default` (the hub's if not given)."""
    default = default or settings.LANGUAGE_CODE
    if not user.is_authenticated:
        return default
    return languages_of([user.pk]).get(user.pk, default)


def language_of_address(email: str) -> str | None:
    """The language chosen by the person whose account holds this e-mail address; None when
    no account holds it verified, so that the caller picks the fallback (one query). Only a
    verified address counts: anyone can type someone else's address into a new account."""
    owners = EmailAddress.objects.filter(email__iexact=email, verified=True).values("user_id")
    return Profile.objects.filter(user_id__in=owners).values_list("language", flat=True).first()
