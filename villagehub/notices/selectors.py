from collections.abc import Iterable

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse, translate_url
from django.utils import translation

from villagehub.accounts.models import Role
from villagehub.communities.models import Community, Network
from villagehub.core.types import AnyUser, User
from villagehub.organisations.models import Organisation

from .models import Kind, Notice, NoticePreference


def coordinators_of(*, networks: Iterable[Network]) -> QuerySet[User]:
    """The people who coordinate any of these networks."""
    return User.objects.filter(
        is_active=True,
        pk__in=Role.objects.filter(kind=Role.Kind.COORDINATOR, network__in=networks).values(
            "user_id"
        ),
    )


def editors_of(
    *, community: Community | int | None = None, organisation: Organisation | int | None = None
) -> QuerySet[User]:
    """The people who edit this community or this organisation."""
    target = {"community": community} if community is not None else {"organisation": organisation}
    kind = Role.Kind.COMMUNITY_EDITOR if community is not None else Role.Kind.ORGANISATION_EDITOR
    return User.objects.filter(
        is_active=True,
        pk__in=Role.objects.filter(kind=kind, **target).values("user_id"),
    )


def all_coordinators() -> QuerySet[User]:
    """Everyone who coordinates a network (solutions belong to none: any of them reviews)."""
    return User.objects.filter(
        is_active=True,
        pk__in=Role.objects.filter(kind=Role.Kind.COORDINATOR).values("user_id"),
    )


def notices_for(user: User) -> QuerySet[Notice]:
    return Notice.objects.filter(user=user)


def notices_unread_count(user: AnyUser) -> int:
    if not user.is_authenticated:
        return 0
    return notices_for(user).filter(read_at__isnull=True).count()


def notice_frequencies(user: User) -> dict[str, str]:
    """How a person wants each kind mailed (at once unless they chose otherwise)."""
    chosen = dict(NoticePreference.objects.filter(user=user).values_list("kind", "frequency"))
    return {kind: chosen.get(kind, NoticePreference.Frequency.AT_ONCE) for kind in Kind.values}


def path_for(viewname: str, *args: str | int) -> str:
    """The address of a page, without a language prefix: notices are read in any language."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(viewname, args=args)


def path_in(path: str, language: str) -> str:
    """A notice's address (see `path_for`) in a language: under its prefix (/sv/...) when the
    language has one; an address the hub does not route stays as it is."""
    # Stored paths are the default language's, so they resolve only in it.
    with translation.override(settings.LANGUAGE_CODE):
        return translate_url(path, language)
