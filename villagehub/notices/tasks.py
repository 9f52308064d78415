from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from villagehub.accounts.selectors import languages_of
from villagehub.core.mail import email_send
from villagehub.core.tasks import task_again

from . import services
from .models import Notice, NoticePreference
from .selectors import path_in

DAILY = timedelta(days=1)


def _links(notices: list[Notice], language: str) -> dict:
    """What a notice e-mail links to, in the language it is written in: each notice with
    its address, and the inbox where the reader chooses how they are told."""
    with translation.override(language):
        inbox = settings.HUB_URL + reverse("notices:inbox")
    entries = [(notice, settings.HUB_URL + path_in(notice.path, language)) for notice in notices]
    return {"notices": notices, "entries": entries, "url": entries[0][1], "inbox": inbox}


@task()
def notice_mail(notice_id: int, template: str | None = None, context: dict | None = None) -> bool:
    """Mail one notice at once (at most once: see `notice_claim_for_mail`), with the
    occasion's own template when it has one, in the language the notice was written in
    (its reader's: see `services.notices_send`). The template's `url` is the notice's page."""
    if not services.notice_claim_for_mail(notice_ids=[notice_id]):
        return False
    notice = Notice.objects.select_related("user").get(pk=notice_id)
    if not notice.user.email:
        return False
    language = notice.language or settings.LANGUAGE_CODE
    email_send(
        to=notice.user.email,
        template=template or "notices/notice",
        context={**(context or {}), **_links([notice], language)},
        language=language,
    )
    return True


@task()
def notices_daily_summary() -> int:
    """One e-mail per person with the notices of the kinds they want in a daily summary,
    then queue the next run (the worker queues the first). Returns the e-mails sent."""
    daily = NoticePreference.objects.filter(
        user=OuterRef("user"), kind=OuterRef("kind"), frequency=NoticePreference.Frequency.DAILY
    )
    # Notices already read in the inbox need no e-mail.
    waiting = Notice.objects.filter(
        Exists(daily), emailed_at__isnull=True, read_at__isnull=True
    ).order_by("user_id", "pk")
    sent = 0
    by_user: dict[int, list[int]] = {}
    for notice_id, user_id in waiting.values_list("pk", "user_id"):
        by_user.setdefault(user_id, []).append(notice_id)
    # The language chosen now, should it have changed since the notices were written.
    chosen = languages_of(by_user)
    for user_id, ids in by_user.items():
        claimed = services.notice_claim_for_mail(notice_ids=ids)
        if not claimed:
            continue
        notices = list(Notice.objects.filter(pk__in=claimed).select_related("user"))
        language = chosen.get(user_id) or notices[0].language or settings.LANGUAGE_CODE
        email_send(
            to=notices[0].user.email,
            template="notices/notice",
            context=_links(notices, language),
            language=language,
        )
        sent += 1
    task_again(notices_daily_summary, at=timezone.now() + DAILY)
    return sent
