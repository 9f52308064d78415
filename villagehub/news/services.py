"""Writing and publishing news: the one write path for the web forms, the API, the back
office and imports."""

import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import default_task_backend

from villagehub.accounts.selectors import networks_coordinated
from villagehub.communities.models import Community, Network
from villagehub.core.mail import email_message
from villagehub.core.services import model_save, unique_slug
from villagehub.core.tasks import image_variants_later
from villagehub.core.types import User
from villagehub.events.models import Event
from villagehub.notices.models import Kind as NoticeKind
from villagehub.notices.selectors import path_for
from villagehub.notices.services import notices_create, notices_send
from villagehub.practices.models import Practice
from villagehub.search.services import search_document_update
from villagehub.taxonomy.models import Goal, Theme

from . import tasks
from .models import Delivery, Digest, Issue, NewsItem, Subscription
from .selectors import (
    HUB_PERMISSION,
    IssueContent,
    IssueMessages,
    issue_audience,
    issues_writable_networks,
    news_publishable_by,
    news_publishers_for,
    subscription_links,
    unsubscribe_headers,
)

UNSET: Any = object()


def _check_publisher(
    *, by: User | None, network: Network | None, community: Community | None
) -> None:
    """`by` must write for the item's publisher; None is the back office or an import, whose
    callers checked their own permissions."""
    if by is None:
        return
    networks, communities = news_publishers_for(by)
    if network is not None and not networks.filter(pk=network.pk).exists():
        raise ValidationError({"network": _("You do not write news for this network.")})
    if community is not None and not communities.filter(pk=community.pk).exists():
        raise ValidationError({"community": _("You do not write news for this community.")})
    if network is None and community is None and not by.has_perm(HUB_PERMISSION):
        raise ValidationError({"network": _("Choose the network or community that publishes it.")})


def _slug_for(title: str) -> str:
    slug = unique_slug(NewsItem, title)
    return unique_slug(NewsItem, f"{slug} news") if slug in RESERVED_SLUGS else slug


def _values(**values: Any) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not UNSET}


@transaction.atomic
def news_create(
    *,
    by: User | None,
    title: str,
    summary: str,
    body: str = "",
    language: str = "en",
    translations: dict[str, Any] | None = None,
    network: Network | None = None,
    community: Community | None = None,
    image: File[Any] | None = None,
    image_alt: str = "",
    themes: Iterable[Theme] = (),
    goals: Iterable[Goal] = (),
    countries: Iterable[str] = (),
    related_practices: Iterable[Practice] = (),
    related_events: Iterable[Event] = (),
    related_communities: Iterable[Community] = (),
    source: str = "",
    slug: str = "",
) -> NewsItem:
    """A draft news item of a network, a community or (network and community empty, back
    office only) the hub."""
    _check_publisher(by=by, network=network, community=community)
    item = model_save(
        NewsItem(slug=slug or _slug_for(title), written_by=by),
        {
            "title": title,
            "summary": summary,
            "body": body,
            "language": language,
            "translations": translations or {},
            "network": network,
            "community": community,
            "image": image or "",
            "image_alt": image_alt,
            "themes": list(themes),
            "goals": list(goals),
            "countries": list(countries),
            "related_practices": list(related_practices),
            "related_events": list(related_events),
            "related_communities": list(related_communities),
            "source": source,
        },
    )
    if item.image:
        image_variants_later(item)
    search_document_update(obj=item)
    if (
        by is not None
        and community is not None
        and not news_publishable_by(by).filter(pk=item.pk).exists()
    ):
        # An editor's draft waits for the coordinators who publish it.
        notices_create(
            networks=community.networks.all(),
            kind=NoticeKind.NEWS,
            subject=title,
            path=path_for("news:edit", item.slug),
        )
    return item


@transaction.atomic
def news_update(
    *,
    item: NewsItem,
    by: User | None,
    title: str = UNSET,
    summary: str = UNSET,
    body: str = UNSET,
    language: str = UNSET,
    translations: dict[str, Any] = UNSET,
    network: Network | None = UNSET,
    community: Community | None = UNSET,
    image: File[Any] | None = UNSET,
    image_alt: str = UNSET,
    themes: Iterable[Theme] = UNSET,
    goals: Iterable[Goal] = UNSET,
    countries: Iterable[str] = UNSET,
    related_practices: Iterable[Practice] = UNSET,
    related_events: Iterable[Event] = UNSET,
    related_communities: Iterable[Community] = UNSET,
    source: str = UNSET,
    slug: str = UNSET,
) -> NewsItem:
    """Change an item (published or not); only the arguments given are written. A person
    may move it only between publishers they write for."""
    values = _values(
        title=title,
        summary=summary,
        body=body,
        language=language,
        translations=translations,
        network=network,
        community=community,
        image=image,
        image_alt=image_alt,
        themes=themes,
        goals=goals,
        countries=countries,
        related_practices=related_practices,
        related_events=related_events,
        related_communities=related_communities,
        source=source,
        slug=slug,
    )
    _check_publisher(
        by=by,
        network=values.get("network", item.network),
        community=values.get("community", item.community),
    )
    for name in ("themes", "goals", "related_practices", "related_events", "related_communities"):
        if name in values:
            values[name] = list(values[name])
    if "countries" in values:
        values["countries"] = list(values["countries"])
    replaced = item.image.name or ""
    model_save(item, values)
    if "image" in values:
        image_variants_later(item, replaced=replaced)
    search_document_update(obj=item)
    return item


@transaction.atomic
def news_publish(*, item: NewsItem, by: User | None) -> NewsItem:
    """Publish an item: coordinators of its network (or of its community's networks) and
    the back office. Publishing again keeps the first publication time."""
    locked = NewsItem.objects.select_for_update().get(pk=item.pk)
    if by is not None and not news_publishable_by(by).filter(pk=locked.pk).exists():
        raise ValidationError(_("Only the coordinators of its network publish this item."))
    if locked.published_at is None:
        locked.published_at = timezone.now()
        locked.save(update_fields=["published_at", "updated_at"])
        if locked.written_by_id and locked.written_by_id != getattr(by, "pk", None):
            notices_send(
                users=[cast(User, locked.written_by)],
                kind=NoticeKind.PUBLISHED,
                subject=locked.title,
                path=path_for("news:detail", locked.slug),
                key=f"news-published-{locked.pk}",
            )
    search_document_update(obj=locked)
    item.published_at, item.updated_at = locked.published_at, locked.updated_at
    return item


@transaction.atomic
def news_withdraw(*, item: NewsItem, by: User | None) -> NewsItem:
    """Take a published item back to draft (it leaves the lists, the feeds and the search)."""
    locked = NewsItem.objects.select_for_update().get(pk=item.pk)
    if by is not None and not news_publishable_by(by).filter(pk=locked.pk).exists():
        raise ValidationError(_("Only the coordinators of its network publish this item."))
    locked.published_at = None
    locked.save(update_fields=["published_at", "updated_at"])
    search_document_update(obj=locked)
    item.published_at, item.updated_at = None, locked.updated_at
    return item


# A confirmation (or reminder of a subscription) is mailed to one address at most this often,
# so that the form cannot be used to flood someone's mailbox.
MAIL_INTERVAL = timedelta(minutes=10)


def _mail_later(subscription: Subscription, template: str) -> None:
    now = timezone.now()
    if (
        subscription.confirmation_sent_at
        and now - subscription.confirmation_sent_at < MAIL_INTERVAL
    ):
        return
    Subscription.objects.filter(pk=subscription.pk).update(confirmation_sent_at=now)
    subscription_id = subscription.pk
    transaction.on_commit(lambda: tasks.subscription_mail.enqueue(subscription_id, template))


def _choices(
    *,
    language: str,
    networks: Iterable[Network],
    themes: Iterable[Theme],
    countries: Iterable[str],
    kinds: Iterable[str],
) -> dict[str, Any]:
    return {
        "language": language,
        "networks": list(networks),
        "themes": list(themes),
        "countries": [c.upper() for c in countries],
        "kinds": sorted(set(kinds)),
    }


@transaction.atomic
def subscription_request(
    *,
    email: str,
    language: str,
    networks: Iterable[Network] = (),
    themes: Iterable[Theme] = (),
    countries: Iterable[str] = (),
    kinds: Iterable[str],
    consent: bool,
) -> Subscription:
    """Ask for a subscription: the address is sent a link to confirm it (double opt-in).

    An address already subscribed is not changed (anyone may type any address): it is sent
    the link to its preferences instead. Whoever asks is told the same in both cases.
    """
    if not consent:
        raise ValidationError({"consent": _("Please accept the privacy notice to subscribe.")})
    email = email.strip().lower()
    choices = _choices(
        language=language, networks=networks, themes=themes, countries=countries, kinds=kinds
    )
    subscription = Subscription.objects.select_for_update().filter(email=email).first()
    if subscription is not None and subscription.status == Subscription.Status.CONFIRMED:
        _mail_later(subscription, "subscription_known")
        return subscription
    try:
        with transaction.atomic():
            subscription = model_save(
                subscription or Subscription(email=email),
                {
                    **choices,
                    "status": Subscription.Status.PENDING,
                    "consent_at": timezone.now(),
                    "consent_notice_version": settings.PRIVACY_NOTICE_VERSION,
                },
            )
    except IntegrityError:
        # The same address asked twice at once: the other request made the row.
        subscription = Subscription.objects.select_for_update().get(email=email)
    _mail_later(subscription, "subscription_confirm")
    return subscription


@transaction.atomic
def subscription_confirm(*, subscription: Subscription) -> Subscription:
    """The person followed the link mailed to them: the subscription starts."""
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if locked.status == Subscription.Status.PENDING:
        locked.status = Subscription.Status.CONFIRMED
        locked.confirmed_at = timezone.now()
        locked.save(update_fields=["status", "confirmed_at", "updated_at"])
    return locked


@transaction.atomic
def subscription_update(
    *,
    subscription: Subscription,
    language: str,
    networks: Iterable[Network] = (),
    themes: Iterable[Theme] = (),
    countries: Iterable[str] = (),
    kinds: Iterable[str],
) -> Subscription:
    """Change what a subscriber receives (from the preferences page of their signed link)."""
    return model_save(
        subscription,
        _choices(
            language=language, networks=networks, themes=themes, countries=countries, kinds=kinds
        ),
    )


@transaction.atomic
def subscription_unsubscribe(*, subscription: Subscription) -> Subscription:
    """Stop every message at once (the one-click link, RFC 8058). Idempotent."""
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if locked.status != Subscription.Status.UNSUBSCRIBED:
        locked.status = Subscription.Status.UNSUBSCRIBED
        locked.unsubscribed_at = timezone.now()
        locked.save(update_fields=["status", "unsubscribed_at", "updated_at"])
    return locked


@transaction.atomic
def subscription_resume(*, subscription: Subscription) -> Subscription:
    """Subscribe again from the preferences page: its link proves the address; the consent
    is recorded anew."""
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    locked.status = Subscription.Status.CONFIRMED
    locked.consent_at = locked.confirmed_at = timezone.now()
    locked.consent_notice_version = settings.PRIVACY_NOTICE_VERSION
    locked.unsubscribed_at = None
    locked.save()
    return locked


def subscriptions_erase(*, emails: Iterable[str]) -> int:
    """Delete the subscriptions of these addresses (a person's erasure); returns how many."""
    deleted, _per_model = Subscription.objects.filter(
        email__in=[e.strip().lower() for e in emails]
    ).delete()
    return deleted


# Newsletters --------------------------------------------------------------------------------

DELIVERY_BATCH = 200
# A worker that claimed a batch and has not finished it this long after is taken for dead:
# its unsent rows are claimed again (the message it had in flight may then go out twice).
DELIVERY_LEASE = timedelta(seconds=settings.NEWSLETTER_LEASE)
LEASE_RENEWAL = 20  # messages


@transaction.atomic
def issue_create(
    *,
    by: User | None,
    network: Network | None,
    subject: str,
    intro: str = "",
    language: str = "en",
    since: datetime | None = None,
) -> Issue:
    """A draft issue of a network the person coordinates (or, back office only, of the hub).
    Without `since`, it gathers what was published in the last week: a weekly digest."""
    if by is not None:
        coordinates = (
            network is not None and networks_coordinated(by).filter(pk=network.pk).exists()
        )
        if not (coordinates or by.has_perm(HUB_PERMISSION)):
            raise ValidationError({"network": _("You do not coordinate this network.")})
    return model_save(
        Issue(created_by=by),
        {
            "network": network,
            "subject": subject,
            "intro": intro,
            "language": language,
            "since": since or timezone.now() - timedelta(days=7),
        },
    )


def issue_message(
    *, issue: Issue, subscription: Subscription, content: dict[str, list[Any]]
) -> EmailMultiAlternatives:
    """One message as `subscription` would get it with `content` (the test send): multipart
    text and HTML with inline styles, no remote images, no tracking, links to the
    preferences and one-click unsubscribe headers. Sending renders through `IssueMessages`,
    which gives the same message."""
    links = subscription_links(subscription)
    return email_message(
        to=subscription.email,
        template="news/issue",
        context={"issue": issue, "content": content, "links": links},
        language=subscription.language,
        headers=unsubscribe_headers(links),
    )


@transaction.atomic
def issue_send_test(*, issue: Issue, to: str, language: str) -> None:
    """Send the issue as a subscriber of everything would get it, marked as a test."""
    sample = Subscription(pk=0, email=to, language=language, kinds=list(Subscription.Kind.values))
    content = IssueContent(issue).for_subscription(sample)
    message = issue_message(issue=issue, subscription=sample, content=content)
    message.subject = _("[Test] %(subject)s") % {"subject": message.subject}
    transaction.on_commit(message.send)


def _deliveries_record(issue: Issue) -> int:
    """One pending `Delivery` per subscriber of the audience, in one INSERT ... SELECT: the
    rows never pass through Python, which a network of 100,000 subscribers would feel
    (the ORM has no INSERT ... SELECT)."""
    audience_sql, params = issue_audience(issue).order_by("pk").values("pk").query.sql_with_params()
    table = connection.ops.quote_name(Delivery._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (issue_id, status, attempts, subscription_id) "  # noqa: S608
            f"SELECT %s, %s, 0, audience.* FROM ({audience_sql}) AS audience WHERE true "
            "ON CONFLICT DO NOTHING",
            [issue.pk, Delivery.Status.PENDING, *params],
        )
        inserted: int = cursor.rowcount
        return inserted


@transaction.atomic
def issue_send(*, issue: Issue, workers: int | None = None) -> int:
    """Start sending: one `Delivery` row per subscriber of the audience is recorded now, and
    the workers deliver them through the task queue. Returns the number of rows.

    The start is claimed by a conditional update, so that of two workers finding a
    scheduled issue due, or a coordinator pressing "send" as it falls due, one only starts
    it; the others get the error."""
    started = Issue.objects.filter(
        pk=issue.pk, status__in=(Issue.Status.DRAFT, Issue.Status.SCHEDULED)
    ).update(status=Issue.Status.SENDING, updated_at=timezone.now())
    if not started:
        raise ValidationError(_("This issue has already been sent."))
    locked = Issue.objects.get(pk=issue.pk)
    issue.status = locked.status
    made = _deliveries_record(locked)
    count = workers or settings.NEWSLETTER_WORKERS
    issue_id = locked.pk
    transaction.on_commit(lambda: [tasks.issue_deliver.enqueue(issue_id) for _n in range(count)])
    if default_task_backend.supports_defer:
        check = tasks.issue_check.using(run_after=timezone.now() + DELIVERY_LEASE)
        transaction.on_commit(lambda: check.enqueue(issue_id))
    return made


@transaction.atomic
def issue_schedule(*, issue: Issue, send_at: datetime, now: datetime | None = None) -> Issue:
    """Send the issue at a later time (the periodic task `newsletters_run` starts it)."""
    now = now or timezone.now()
    if send_at is None or send_at <= now:
        raise ValidationError({"send_at": _("Choose a time in the future.")})
    changed = Issue.objects.filter(
        pk=issue.pk, status__in=(Issue.Status.DRAFT, Issue.Status.SCHEDULED)
    ).update(status=Issue.Status.SCHEDULED, send_at=send_at, updated_at=now)
    if not changed:
        raise ValidationError(_("This issue has already been sent."))
    issue.refresh_from_db()
    return issue


@transaction.atomic
def issue_unschedule(*, issue: Issue) -> Issue:
    """Back to a draft, unless sending has started."""
    changed = Issue.objects.filter(pk=issue.pk, status=Issue.Status.SCHEDULED).update(
        status=Issue.Status.DRAFT, send_at=None, updated_at=timezone.now()
    )
    if not changed:
        raise ValidationError(_("This issue has already been sent."))
    issue.refresh_from_db()
    return issue


def issues_send_due(*, now: datetime | None = None) -> list[int]:
    """Start every scheduled issue whose time has come; returns the ids this call started
    (each issue is started by one call only: see `issue_send`)."""
    now = now or timezone.now()
    due = Issue.objects.filter(status=Issue.Status.SCHEDULED, send_at__lte=now).values_list(
        "pk", flat=True
    )
    started = []
    for issue in Issue.objects.filter(pk__in=list(due)):
        try:
            issue_send(issue=issue)
        except ValidationError:
            continue  # another worker started it
        started.append(issue.pk)
    return started


@transaction.atomic
def network_digest_set(*, network: Network, frequency: str, by: User | None) -> Digest:
    """Choose the automatic digest of a network (its coordinators, or the back office)."""
    if by is not None and not issues_writable_networks(by).filter(pk=network.pk).exists():
        raise ValidationError({"network": _("You do not coordinate this network.")})
    if frequency not in Digest.Frequency.values:
        raise ValidationError({"frequency": _("Choose none, weekly or monthly.")})
    digest, _created = Digest.objects.update_or_create(
        network=network, defaults={"frequency": frequency}
    )
    return digest


DIGEST_SUBJECTS: dict[str, Promise] = {
    Digest.Frequency.WEEKLY: gettext_lazy("%(network)s: the week's news"),
    Digest.Frequency.MONTHLY: gettext_lazy("%(network)s: the month's news"),
}
DIGEST_SPAN: dict[str, timedelta] = {
    Digest.Frequency.WEEKLY: timedelta(days=7),
    Digest.Frequency.MONTHLY: timedelta(days=31),
}


def digest_period(frequency: str, now: datetime) -> str:
    """The week (ISO) or month that one automatic digest covers."""
    if frequency == Digest.Frequency.WEEKLY:
        year, week, _day = now.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{now:%Y-%m}"


def digests_assemble(*, now: datetime | None = None) -> list[int]:
    """Assemble and start the automatic digest of every network whose week or month has
    none yet; returns the ids of the issues started. The digest covers what was new since
    the network's previous one (or one period back). Its subject is written in every
    interface language; a network with nothing new sends nothing (every subscriber is
    skipped)."""
    now = now or timezone.now()
    started = []
    for digest in Digest.objects.exclude(frequency=Digest.Frequency.NONE).select_related("network"):
        period = digest_period(digest.frequency, now)
        network = digest.network
        if Issue.objects.filter(network=network, digest_period=period).exists():
            continue
        previous = (
            Issue.objects.filter(network=network)
            .exclude(digest_period="")
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        subject = DIGEST_SUBJECTS[digest.frequency]
        subjects = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                subjects[code] = str(subject) % {"network": network.name}
        default = settings.LANGUAGE_CODE
        try:
            with transaction.atomic():
                issue = model_save(
                    Issue(created_by=None, digest_period=period),
                    {
                        "network": network,
                        "subject": subjects[default],
                        "language": default,
                        "translations": {
                            code: {"subject": text}
                            for code, text in subjects.items()
                            if code != default
                        },
                        "since": previous or now - DIGEST_SPAN[digest.frequency],
                    },
                )
                issue_send(issue=issue)
        except (IntegrityError, ValidationError):
            # Another worker assembled this period's digest: the unique constraint says so,
            # from the model's validation or, in a closer race, from the database.
            continue
        started.append(issue.pk)
    return started


def deliveries_claim(*, issue: Issue, limit: int = DELIVERY_BATCH) -> list[Delivery]:
    """Claim a batch of rows not yet sent whose lease is free or ran out (a dead worker's),
    with their subscriptions and choices."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(issue=issue, status=Delivery.Status.PENDING)
            .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - DELIVERY_LEASE))
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        Delivery.objects.filter(pk__in=ids).update(claimed_at=now)
    return list(
        Delivery.objects.filter(pk__in=ids)
        .select_related("subscription")
        .prefetch_related("subscription__networks", "subscription__themes")
        .order_by("pk")
    )


def _delivery_mark(*, sent: tuple[int, Any] | None, attempt: int | None = None) -> None:
    """Mark the message handed to SMTP last as sent and count the attempt of the next one,
    in one commit: the next is recorded before it is handed over, and a worker killed
    after that leaves one row only (the one in flight) attempted and not marked sent."""
    with transaction.atomic():
        if sent is not None:
            pk, sent_at = sent
            Delivery.objects.filter(pk=pk).update(status=Delivery.Status.SENT, sent_at=sent_at)
        if attempt is not None:
            Delivery.objects.filter(pk=attempt).update(attempts=F("attempts") + 1)


def issue_deliver_all(
    *, issue: Issue, connection_factory: Callable[[], BaseEmailBackend] = get_connection
) -> int:
    """Claim and send batch after batch until no row is left to claim, each batch over one
    SMTP connection; the issue is marked sent once every row is. Returns the messages sent
    by this call."""
    messages = IssueMessages(issue)
    rate = settings.NEWSLETTER_RATE
    sent = 0
    while batch := deliveries_claim(issue=issue):
        skipped = []
        in_flight = None
        with connection_factory() as smtp:
            for index, delivery in enumerate(batch, 1):
                message = messages.message(delivery.subscription, connection=smtp)
                if message is None:
                    skipped.append(delivery.pk)
                    continue
                _delivery_mark(sent=in_flight, attempt=delivery.pk)
                message.send()
                in_flight = (delivery.pk, timezone.now())
                sent += 1
                if index % LEASE_RENEWAL == 0:
                    # A slow batch (a low NEWSLETTER_RATE) would outlive its lease and be
                    # sent a second time by another worker: the lease counts from the
                    # worker's last sign of life, not from the claim.
                    Delivery.objects.filter(
                        pk__in=[d.pk for d in batch[index:]], status=Delivery.Status.PENDING
                    ).update(claimed_at=timezone.now())
                if rate:
                    time.sleep(1 / rate)
            _delivery_mark(sent=in_flight)
        # Nothing was handed over for these: a worker killed before this line leaves them
        # to be looked at again, which sends nothing.
        Delivery.objects.filter(pk__in=skipped).update(status=Delivery.Status.SKIPPED)
    issue_finish(issue=issue)
    return sent


def issue_finish(*, issue: Issue) -> bool:
    """Mark the issue sent when no row waits any more (any worker may find it so)."""
    if Delivery.objects.filter(issue=issue, status=Delivery.Status.PENDING).exists():
        return False
    return bool(
        Issue.objects.filter(pk=issue.pk, status=Issue.Status.SENDING).update(
            status=Issue.Status.SENT, sent_at=timezone.now()
        )
    )


# News slugs that would be taken by the pages under /news/.
RESERVED_SLUGS = {"write", "drafts", "subscribe", "subscription", "unsubscribe", "newsletters"}
