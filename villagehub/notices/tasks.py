from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import default_task_backend, task

from villagehub.core.mail import email_send

from . import services
from .models import Notice, NoticePreference

DAILY = timedelta(days=1)


def _inbox() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return settings.HUB_URL + reverse("notices:inbox")


@task()
def notice_mail(notice_id: int, template: str | None = None, context: dict | None = None) -> bool:
    """Mail one notice at once (at most once: see `notice_claim_for_mail`), with the
    occasion's own template when it has one."""
    if not services.notice_claim_for_mail(notice_ids=[notice_id]):
        return False
    notice = Notice.objects.select_related("user").get(pk=notice_id)
    if not notice.user.email:
        return False
    email_send(
        to=notice.user.email,
        template=template or "notices/notice",
        context={**(context or {}), "notices": [notice], "inbox": _inbox()},
        language=notice.language or settings.LANGUAGE_CODE,
    )
    return True


def summary_pending() -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path__endswith="notices_daily_summary", status="READY"
    ).exists()


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
    for ids in by_user.values():
        claimed = services.notice_claim_for_mail(notice_ids=ids)
        if not claimed:
            continue
        notices = list(Notice.objects.filter(pk__in=claimed).select_related("user"))
        email_send(
            to=notices[0].user.email,
            template="notices/notice",
            context={"notices": notices, "inbox": _inbox()},
            language=settings.LANGUAGE_CODE,
        )
        sent += 1
    if default_task_backend.supports_defer and not summary_pending():
        notices_daily_summary.using(run_after=timezone.now() + DAILY).enqueue()
    return sent
