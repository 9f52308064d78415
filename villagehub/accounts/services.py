from collections import Counter
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from villagehub.core import personal_data
from villagehub.core.services import mentions_erase, model_save
from villagehub.core.types import User

from .models import ApiToken, Profile, Role
from .personal_data import person_find

if TYPE_CHECKING:
    # For the annotation only: accounts' services reach other apps through core's registry.
    from villagehub.taxonomy.models import Theme


@transaction.atomic
def role_grant(*, user: User, kind: str, target: models.Model) -> Role:
    """Give a person a role for a network (coordinator), community or organisation (editor)."""
    field = Role.TARGETS[kind]
    existing = Role.objects.filter(user=user, kind=kind, **{field: target}).first()
    return existing or model_save(Role(user=user, kind=kind), {field: target})


@transaction.atomic
def account_language_set(*, user: User, language: str) -> Profile:
    """The language the hub writes to this person in: one of `settings.LANGUAGES`."""
    codes = [code for code, _name in settings.LANGUAGES]
    if language not in codes:
        raise ValidationError(
            {
                "language": _("“%(language)s” is not one of the hub's languages (%(codes)s).")
                % {"language": language, "codes": ", ".join(codes)}
            }
        )
    profile, _created = Profile.objects.update_or_create(user=user, defaults={"language": language})
    return profile


@transaction.atomic
def role_revoke(*, user: User, kind: str, target: models.Model) -> None:
    Role.objects.filter(user=user, kind=kind, **{Role.TARGETS[kind]: target}).delete()


@transaction.atomic
def person_erase(*, email: str, user: User | None = None) -> int:
    """Erase a person (GDPR art. 17): every app erases what it keeps about them (see
    core/personal_data.py: unpublished proposals, comments, subscriptions, messages, the
    personal data of every registration made with their addresses, whose upcoming places are
    given up as by a cancellation so that the people waiting move up), then their account
    goes with its addresses, roles and authenticators, and every mention of their addresses,
    username or names leaves the hub's logs. Anonymous totals (attendance, survey scores)
    stay. Returns the registrations erased."""
    person = person_find(email=email, user=user)
    traces = personal_data.person_traces(person)
    erased: Counter[str] = Counter()
    for share in personal_data.shares():
        if share.erase is not None:
            erased.update(share.erase(person) or {})
    # Last: the rows other apps erased in their own way would otherwise go by cascade.
    if person.account is not None:
        person.account.delete()
    mentions_erase(traces=traces, mentions=personal_data.mentions())
    return erased["registrations"]


def api_key_hash(key: str) -> str:
    import hashlib

    return hashlib.sha256(key.encode()).hexdigest()


TOKEN_USE_PRECISION = timedelta(minutes=1)


def api_token_use(*, key: str) -> User | None:
    """The owner of an API key, or None; records when the key was last used, to the
    minute: a client writing many times a second would otherwise write the token's row at
    every request, one more write that its requests queue for."""
    if not key.startswith("vh_") or len(key) > 100:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=api_key_hash(key)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token; returns it with its key, which is not stored and is shown only now."""
    import secrets

    from .models import ApiToken

    key = "vh_" + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name.strip(), prefix=key[:10], key_hash=api_key_hash(key))
    token.full_clean()
    token.save()
    return token, key


@transaction.atomic
def api_token_revoke(*, user: User, pk: int) -> None:
    user.api_tokens.filter(pk=pk).delete()


@transaction.atomic
def themes_follow_set(*, user: User, themes: Iterable["Theme"]) -> None:
    """Follow exactly these themes."""
    from .models import ThemeFollow

    themes = list(themes)
    ThemeFollow.objects.filter(user=user).exclude(theme__in=themes).delete()
    for theme in themes:
        ThemeFollow.objects.get_or_create(user=user, theme=theme)
