"""Telling coordinators that something waits for them: the one write path of notices."""

from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise

from villagehub.accounts.selectors import languages_of
from villagehub.communities.models import Network
from villagehub.core.types import User

from . import tasks
from .models import Kind, Notice, NoticePreference
from .selectors import coordinators_of


@transaction.atomic
def notices_send(
    *,
    users: Iterable[User],
    kind: str,
    subject: str | Promise,
    path: str,
    language: str = "",
    key: str = "",
    mail: tuple[str, dict[str, Any]] | None = None,
) -> list[Notice]:
    """A notice for each of these people; each is mailed at once after the commit unless
    its reader chose a daily summary or no e-mail for this kind. `key` names an occasion
    that tells each person once; `mail` is the template and context of the at-once e-mail
    when the occasion has its own (an editor's returned proposal carries the comment).

    Each notice is written in its reader's language (`accounts.Profile`; else `language`,
    the one they wrote in when known; else the hub's default): a lazy `subject` (a sentence
    of the hub's, such as `format_lazy(gettext_lazy(...), ...)`) is translated for each.
    `path` is the page's address without a language prefix (`selectors.path_for`)."""
    if kind not in Kind.values:
        raise ValueError(kind)
    users = list(users)
    later = set(
        NoticePreference.objects.filter(user__in=users, kind=kind)
        .exclude(frequency=NoticePreference.Frequency.AT_ONCE)
        .values_list("user_id", flat=True)
    )
    chosen = languages_of(user.pk for user in users)
    subjects: dict[str, str] = {}
    notices = []
    for user in users:
        reader_language = chosen.get(user.pk) or language or settings.LANGUAGE_CODE
        if reader_language not in subjects:
            with translation.override(reader_language):
                subjects[reader_language] = str(subject)[:255]
        values = {
            "kind": kind,
            "subject": subjects[reader_language],
            "path": path,
            "language": reader_language,
        }
        if not key:
            notices.append(Notice(user=user, **values))
            continue
        notice, created = Notice.objects.get_or_create(user=user, key=key, defaults=values)
        if created:
            notices.append(notice)
    if not key:
        notices = Notice.objects.bulk_create(notices)
    template, context = mail or (None, None)
    for notice in notices:
        if notice.user_id not in later:
            transaction.on_commit(partial(tasks.notice_mail.enqueue, notice.pk, template, context))
    return notices


def notices_create(
    *, networks: Iterable[Network], kind: str, subject: str | Promise, path: str
) -> list[Notice]:
    """A notice for every coordinator of these networks."""
    return notices_send(
        users=coordinators_of(networks=networks), kind=kind, subject=subject, path=path
    )


@transaction.atomic
def notice_preferences_set(*, user: User, frequencies: Mapping[str, str]) -> None:
    for kind, frequency in frequencies.items():
        if kind not in Kind.values or frequency not in NoticePreference.Frequency.values:
            raise ValueError(f"{kind}: {frequency}")
        NoticePreference.objects.update_or_create(
            user=user, kind=kind, defaults={"frequency": frequency}
        )


def notices_mark_read(*, user: User) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def notice_claim_for_mail(*, notice_ids: Iterable[int]) -> list[int]:
    """Claim notices for one e-mail: a notice is mailed at most once (the claim is a
    conditional update; a second run finds nothing to claim)."""
    now = timezone.now()
    claimed = []
    for notice_id in notice_ids:
        if Notice.objects.filter(pk=notice_id, emailed_at__isnull=True).update(emailed_at=now):
            claimed.append(notice_id)
    return claimed
