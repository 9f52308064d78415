from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from villagehub.core.services import model_save

from .models import Role


@transaction.atomic
def role_grant(*, user: AbstractBaseUser, kind: str, target) -> Role:
    """Give a person a role for a network (coordinator), community or organisation (editor)."""
    field = Role.TARGETS[kind]
    existing = Role.objects.filter(user=user, kind=kind, **{field: target}).first()
    return existing or model_save(Role(user=user, kind=kind), {field: target})


@transaction.atomic
def role_revoke(*, user: AbstractBaseUser, kind: str, target) -> None:
    Role.objects.filter(user=user, kind=kind, **{Role.TARGETS[kind]: target}).delete()


@transaction.atomic
def person_erase(*, email: str, user: AbstractBaseUser | None = None) -> int:
    """Erase a person (GDPR art. 17): their account with its addresses, roles and
    authenticators, and the personal data of every registration made with their addresses.
    Anonymous totals (attendance, survey scores) stay. Returns the registrations erased."""
    from allauth.account.models import EmailAddress

    from villagehub.contributions.models import Invitation
    from villagehub.events.services import registrations_erase
    from villagehub.news.services import subscriptions_erase

    emails = {email.strip().lower()}
    if user is not None and user.is_authenticated:
        emails |= {
            e.lower()
            for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
        }
        user.delete()
    Invitation.objects.filter(email__in=emails).delete()
    subscriptions_erase(emails=emails)
    return sum(registrations_erase(email=e) for e in sorted(emails))


def api_key_hash(key: str) -> str:
    import hashlib

    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: AbstractBaseUser, name: str):
    """Make a token; returns it with its key, which is not stored and is shown only now."""
    import secrets

    from .models import ApiToken

    key = "vh_" + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name.strip(), prefix=key[:10], key_hash=api_key_hash(key))
    token.full_clean()
    token.save()
    return token, key


@transaction.atomic
def api_token_revoke(*, user: AbstractBaseUser, pk: int) -> None:
    user.api_tokens.filter(pk=pk).delete()


@transaction.atomic
def themes_follow_set(*, user: AbstractBaseUser, themes) -> None:
    """Follow exactly these themes."""
    from .models import ThemeFollow

    themes = list(themes)
    ThemeFollow.objects.filter(user=user).exclude(theme__in=themes).delete()
    for theme in themes:
        ThemeFollow.objects.get_or_create(user=user, theme=theme)
