"""What accounts keep about people: the account itself, with its addresses, roles, consents,
language, followed themes and authenticators (see core/personal_data.py). Deleting the account
removes all of these; `services.person_erase` does it last, after the other apps' erasers
have dealt with the rows that point at it."""

from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.models import User

from villagehub.core.personal_data import Person, Share

from .models import Role
from .selectors import language_of, two_factor_enabled


def person_find(*, email: str, user: User | None = None) -> Person:
    """The person an export or an erasure is about: this address, and if they have an account,
    the account with all of its addresses."""
    emails = {email.strip().lower()}
    if user is None or not user.is_authenticated:
        return Person(emails=frozenset(emails))
    emails |= {
        e.lower() for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }
    return Person(emails=frozenset(emails), account=user)


def account_data(user: User) -> dict[str, Any]:
    """The account's own fields, which open the export's "account" section."""
    return {
        "username": user.get_username(),
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "email_addresses": list(
            EmailAddress.objects.filter(user=user).values("email", "verified", "primary")
        ),
        "roles": [str(role) for role in Role.objects.filter(user=user)],
        "followed_themes": [f.theme.slug for f in user.followed_themes.select_related("theme")],
        "two_factor_authentication": two_factor_enabled(user),
        "language": language_of(user),
        "privacy_consents": [
            {"version": c.notice_version, "given_at": c.given_at.isoformat()}
            for c in user.consents.all()
        ],
    }


def _traces(person: Person) -> set[str]:
    if person.account is None:
        return set()
    return {person.account.get_username(), person.account.get_full_name()}


SHARE = Share(traces=_traces)
