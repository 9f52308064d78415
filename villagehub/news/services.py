"""Writing and publishing news: the one write path for the web forms, the API, the back
office and imports."""

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from villagehub.communities.models import Community, Network
from villagehub.core.services import model_save, unique_slug
from villagehub.search.services import search_document_update

from .models import NewsItem, Subscription
from .selectors import HUB_PERMISSION, news_publishable_by, news_publishers_for
from .tasks import subscription_mail

UNSET: Any = object()


def _check_publisher(
    *, by: AbstractBaseUser | None, network: Network | None, community: Community | None
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


def _values(**values: Any) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not UNSET}


@transaction.atomic
def news_create(
    *,
    by: AbstractBaseUser | None,
    title: str,
    summary: str,
    body: str = "",
    language: str = "en",
    translations: dict | None = None,
    network: Network | None = None,
    community: Community | None = None,
    image=None,
    image_alt: str = "",
    themes: Iterable = (),
    goals: Iterable = (),
    countries: Iterable[str] = (),
    related_practices: Iterable = (),
    related_events: Iterable = (),
    related_communities: Iterable = (),
    source: str = "",
    slug: str = "",
) -> NewsItem:
    """A draft news item of a network, a community or (network and community empty, back
    office only) the hub."""
    _check_publisher(by=by, network=network, community=community)
    item = model_save(
        NewsItem(slug=slug or unique_slug(NewsItem, title), written_by=by),
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
    search_document_update(obj=item)
    return item


@transaction.atomic
def news_update(
    *,
    item: NewsItem,
    by: AbstractBaseUser | None,
    title: str = UNSET,
    summary: str = UNSET,
    body: str = UNSET,
    language: str = UNSET,
    translations: dict = UNSET,
    network: Network | None = UNSET,
    community: Community | None = UNSET,
    image=UNSET,
    image_alt: str = UNSET,
    themes: Iterable = UNSET,
    goals: Iterable = UNSET,
    countries: Iterable[str] = UNSET,
    related_practices: Iterable = UNSET,
    related_events: Iterable = UNSET,
    related_communities: Iterable = UNSET,
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
    model_save(item, values)
    search_document_update(obj=item)
    return item


@transaction.atomic
def news_publish(*, item: NewsItem, by: AbstractBaseUser | None) -> NewsItem:
    """Publish an item: coordinators of its network (or of its community's networks) and
    the back office. Publishing again keeps the first publication time."""
    locked = NewsItem.objects.select_for_update().get(pk=item.pk)
    if by is not None and not news_publishable_by(by).filter(pk=locked.pk).exists():
        raise ValidationError(_("Only the coordinators of its network publish this item."))
    if locked.published_at is None:
        locked.published_at = timezone.now()
        locked.save(update_fields=["published_at", "updated_at"])
    search_document_update(obj=locked)
    item.published_at, item.updated_at = locked.published_at, locked.updated_at
    return item


@transaction.atomic
def news_withdraw(*, item: NewsItem, by: AbstractBaseUser | None) -> NewsItem:
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
    transaction.on_commit(lambda: subscription_mail.enqueue(subscription_id, template))


def _choices(
    *, language: str, networks: Iterable, themes: Iterable, countries: Iterable[str], kinds
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
    networks: Iterable = (),
    themes: Iterable = (),
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
    networks: Iterable = (),
    themes: Iterable = (),
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
