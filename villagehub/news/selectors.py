"""Reading news: the public list and, scoped to who asks, the items a person may write or
publish."""

import functools
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country

from villagehub.accounts.selectors import networks_coordinated
from villagehub.communities.models import Community, Network
from villagehub.contributions.selectors import communities_edited_by, communities_reviewed_by
from villagehub.core.filters import UNKNOWN_SLUG, PlaceFilterForm
from villagehub.core.mail import email_assemble, email_message, email_render
from villagehub.core.types import AnyUser, User
from villagehub.events.selectors import event_list_base
from villagehub.practices.selectors import practice_list_base
from villagehub.search.interface import SearchQuery, search_record_ids
from villagehub.taxonomy.models import GOAL_TITLES

from .models import Delivery, Digest, Issue, NewsItem, Subscription

# People in the back office with this permission write and publish every item, the hub's too.
HUB_PERMISSION = "news.change_newsitem"


class NewsFilterForm(PlaceFilterForm):
    network = forms.SlugField(label=_("Network"), required=False)
    community = forms.SlugField(label=_("Community"), required=False)
    sdg = forms.TypedChoiceField(
        label=_("Agenda 2030 goal"),
        required=False,
        coerce=int,
        choices=[(n, n) for n in GOAL_TITLES],
    )
    language = forms.ChoiceField(label=_("Language"), required=False, choices=settings.LANGUAGES)

    def clean_network(self) -> str:
        slug: str = self.cleaned_data["network"]
        if slug and not Network.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("there is no such network."), code=UNKNOWN_SLUG)
        return slug

    def clean_community(self) -> str:
        slug: str = self.cleaned_data["community"]
        if slug and not Community.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("there is no such community."), code=UNKNOWN_SLUG)
        return slug


def news_list_base() -> QuerySet[NewsItem]:
    """Published items, newest first (the condition of the index `news_published_newest`)."""
    return NewsItem.objects.filter(published_at__isnull=False).select_related(
        "network", "community"
    )


def news_in_language(qs: QuerySet[NewsItem], language: str) -> QuerySet[NewsItem]:
    """Items written in a language or translated into it."""
    return qs.filter(Q(language=language) | Q(translations__has_key=language))


def news_list(*, filters: dict[str, Any]) -> QuerySet[NewsItem]:
    qs = news_list_base()
    if filters.get("q"):
        qs = qs.filter(pk__in=search_record_ids(SearchQuery(text=filters["q"], kind="news")))
    if filters.get("network"):
        # A network's news: its own, and those of its communities.
        qs = qs.filter(
            Q(network__slug=filters["network"])
            | Q(community__in=Community.objects.filter(networks__slug=filters["network"]))
        )
    if filters.get("community"):
        qs = qs.filter(
            Q(community__slug=filters["community"])
            | Q(
                pk__in=NewsItem.related_communities.through.objects.filter(
                    community__slug=filters["community"]
                ).values("newsitem_id")
            )
        )
    if filters.get("country"):
        qs = qs.filter(countries__contains=filters["country"].upper())
    if filters.get("theme"):
        qs = qs.filter(
            pk__in=NewsItem.themes.through.objects.filter(theme__slug=filters["theme"]).values(
                "newsitem_id"
            )
        )
    if filters.get("sdg"):
        qs = qs.filter(
            pk__in=NewsItem.goals.through.objects.filter(goal_id=filters["sdg"]).values(
                "newsitem_id"
            )
        )
    if filters.get("language"):
        qs = news_in_language(qs, filters["language"])
    # Every item listed is published: NULLS LAST only tells the cursor paging so.
    return qs.order_by(F("published_at").desc(nulls_last=True), "-pk")


def news_detail(*, slug: str, user: User) -> NewsItem:
    """A published item, or a draft the person may write or publish; else 404."""
    item = (
        NewsItem.objects.select_related("network", "community")
        .prefetch_related(
            "themes", "goals", "related_practices", "related_events", "related_communities"
        )
        .filter(slug=slug)
        .first()
    )
    if item is None or not (
        item.is_published or news_writable_by(user).filter(pk=item.pk).exists()
    ):
        raise Http404
    return item


def news_writable_by(user: AnyUser) -> QuerySet[NewsItem]:
    """Community editors write their communities' items; coordinators their networks' and
    those of the networks' communities."""
    if not user.is_authenticated:
        return NewsItem.objects.none()
    if user.has_perm(HUB_PERMISSION):
        return NewsItem.objects.all()
    return NewsItem.objects.filter(
        Q(community__in=communities_edited_by(user))
        | Q(community__in=communities_reviewed_by(user))
        | Q(network__in=networks_coordinated(user))
    )


def news_publishable_by(user: AnyUser) -> QuerySet[NewsItem]:
    """Coordinators publish their networks' items and those of the networks' communities."""
    if not user.is_authenticated:
        return NewsItem.objects.none()
    if user.has_perm(HUB_PERMISSION):
        return NewsItem.objects.all()
    return NewsItem.objects.filter(
        Q(community__in=communities_reviewed_by(user)) | Q(network__in=networks_coordinated(user))
    )


def news_editable_by(user: User) -> QuerySet[NewsItem]:
    """Editors change drafts; once published, an item is changed by those who publish it."""
    return news_writable_by(user).filter(
        Q(published_at__isnull=True) | Q(pk__in=news_publishable_by(user).values("pk"))
    )


def news_get_for_editor(*, slug: str, user: User) -> NewsItem:
    item = news_editable_by(user).filter(slug=slug).first()
    if item is None:
        raise Http404
    return item


def news_get_for_publisher(*, slug: str, user: User) -> NewsItem:
    item = news_publishable_by(user).filter(slug=slug).first()
    if item is None:
        raise Http404
    return item


def news_publishers_for(user: AnyUser) -> tuple[QuerySet[Any], QuerySet[Any]]:
    """The networks and the communities a person may write news for."""
    if not user.is_authenticated:
        return Network.objects.none(), Community.objects.none()
    if user.has_perm(HUB_PERMISSION):
        return Network.objects.all(), Community.objects.all()
    communities = Community.objects.filter(
        Q(pk__in=communities_edited_by(user)) | Q(pk__in=communities_reviewed_by(user))
    )
    return networks_coordinated(user), communities


def news_drafts_for(user: User) -> QuerySet[NewsItem]:
    """Drafts the person may write, newest change first (their page on /news/)."""
    return (
        news_writable_by(user)
        .filter(published_at__isnull=True)
        .select_related("network", "community")
        .order_by("-updated_at", "-pk")
    )


NEWS_COLUMNS = (
    "slug", "title", "summary", "body", "language", "translations", "network", "community",
    "themes", "goals", "countries", "related_practices", "related_events",
    "related_communities", "published_at", "updated_at",
)  # fmt: skip


def news_rows() -> Iterator[dict[str, Any]]:
    """Every published item as plain values (the bulk downloads), read in chunks."""
    items = (
        news_list_base()
        .order_by("-published_at", "-pk")
        .prefetch_related(
            "themes", "goals", "related_practices", "related_events", "related_communities"
        )
    )
    for item in items.iterator(chunk_size=2000):
        yield {
            "slug": item.slug,
            "title": item.title,
            "summary": item.summary,
            "body": item.body,
            "language": item.language,
            "translations": item.translations,
            "network": item.network.slug if item.network else "",
            "community": item.community.slug if item.community else "",
            "themes": [t.slug for t in item.themes.all()],
            "goals": [g.number for g in item.goals.all()],
            "countries": [c.code for c in cast("list[Country]", item.countries)],
            "related_practices": [p.slug for p in item.related_practices.all()],
            "related_events": [e.slug for e in item.related_events.all()],
            "related_communities": [c.slug for c in item.related_communities.all()],
            # Only published items are exported.
            "published_at": cast(datetime, item.published_at).isoformat(),
            "updated_at": item.updated_at.isoformat(),
        }


# Signed links of subscriptions: each purpose has its own salt, so a link for one cannot be
# used for another. They carry the address too: a link outlives neither an erasure nor a
# new subscription of the same row's address.
CONFIRM_SALT = "villagehub.news.subscription.confirm"
MANAGE_SALT = "villagehub.news.subscription.manage"
CONFIRM_MAX_AGE = timedelta(days=7)


def subscription_token(subscription: Subscription, *, salt: str) -> str:
    return signing.dumps([subscription.pk, subscription.email], salt=salt, compress=True)


def subscription_from_token(token: str, *, salt: str) -> Subscription:
    """The subscription a signed link names; 404 for a forged, expired or stale link.
    Confirmation links expire; the links to preferences and to unsubscribe do not."""
    try:
        pk, email = signing.loads(
            token, salt=salt, max_age=CONFIRM_MAX_AGE if salt == CONFIRM_SALT else None
        )
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise Http404 from error
    subscription = Subscription.objects.filter(pk=pk, email=email).first()
    if subscription is None:
        raise Http404
    return subscription


def manage_links(*, token: str, language: str) -> dict[str, str]:
    """The links to the preferences and to unsubscribe of a signed `token` (MANAGE_SALT)."""
    with translation.override(language):
        return {
            "manage": settings.HUB_URL + reverse("news:subscription", args=[token]),
            "unsubscribe": settings.HUB_URL + reverse("news:unsubscribe", args=[token]),
        }


def subscription_links(subscription: Subscription) -> dict[str, str]:
    """The absolute links a message to a subscriber carries, in the subscriber's language."""
    manage = manage_links(
        token=subscription_token(subscription, salt=MANAGE_SALT), language=subscription.language
    )
    with translation.override(subscription.language):
        confirm = reverse(
            "news:subscription-confirm", args=[subscription_token(subscription, salt=CONFIRM_SALT)]
        )
    return {"confirm": settings.HUB_URL + confirm, **manage}


def unsubscribe_headers(links: dict[str, str]) -> dict[str, str]:
    """RFC 2369 and RFC 8058 one-click unsubscribe headers of every newsletter message."""
    return {
        "List-Unsubscribe": f"<{links['unsubscribe']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def subscriptions_data(*, emails: Iterable[str]) -> list[dict[str, Any]]:
    """The newsletter subscriptions of these addresses, for a person's data export."""
    return [
        {
            "email": s.email,
            "status": s.status,
            "language": s.language,
            "kinds": s.kinds,
            "networks": [n.slug for n in s.networks.all()],
            "themes": [t.slug for t in s.themes.all()],
            "countries": [c.code for c in cast("list[Country]", s.countries)],
            "consent_given_at": s.consent_at.isoformat() if s.consent_at else None,
            "privacy_notice_version": s.consent_notice_version,
            "confirmed_at": s.confirmed_at.isoformat() if s.confirmed_at else None,
            "unsubscribed_at": s.unsubscribed_at.isoformat() if s.unsubscribed_at else None,
        }
        for s in Subscription.objects.filter(email__in=sorted(emails)).prefetch_related(
            "networks", "themes"
        )
    ]


# Newsletters --------------------------------------------------------------------------------

SECTION_LENGTH = 10
EVENTS_AHEAD = timedelta(days=45)


@dataclass
class _Entry:
    obj: Any
    networks: set[int]
    themes: set[int]
    countries: set[str]


def _networks_of(community: Community | None) -> set[int]:
    return {n.pk for n in community.networks.all()} if community else set()


class IssueContent:
    """What an issue can hold, read once for all its subscribers: news and practices
    published since the issue's `since`, and events in the coming weeks (of the issue's
    network, when it has one); `for_subscription` picks what one subscriber chose."""

    def __init__(self, issue: Issue, *, now: datetime | None = None) -> None:
        now = now or timezone.now()
        # Subscribers who chose alike get the same entries: each choice is matched once.
        self.pick = functools.lru_cache(maxsize=RENDERED_BODIES)(self._pick)
        network = issue.network
        news = news_list_base().filter(published_at__gte=issue.since)
        practices = practice_list_base().filter(created_at__gte=issue.since)
        events = event_list_base().filter(starts_at__gte=now, starts_at__lte=now + EVENTS_AHEAD)
        if network is not None:
            in_network = Community.objects.filter(networks=network)
            news = news.filter(Q(network=network) | Q(community__in=in_network))
            practices = practices.filter(community__in=in_network)
            events = events.filter(
                Q(organiser_networks=network) | Q(host_community__in=in_network)
            ).distinct()
        self.sections: dict[str, list[_Entry]] = {
            Subscription.Kind.NEWS: [
                _Entry(
                    item,
                    ({item.network_id} if item.network_id else set())
                    | _networks_of(item.community),
                    {t.pk for t in item.themes.all()},
                    {c.code for c in cast("list[Country]", item.countries)},
                )
                for item in news.prefetch_related("themes", "community__networks").order_by(
                    "-published_at", "-pk"
                )
            ],
            Subscription.Kind.PRACTICES: [
                _Entry(
                    p,
                    _networks_of(p.community),
                    {t.pk for t in p.themes.all()},
                    {cast(Country, p.community.country).code} if p.community else set(),
                )
                for p in practices.prefetch_related("themes", "community__networks").order_by(
                    "-created_at", "-pk"
                )
            ],
            Subscription.Kind.EVENTS: [
                _Entry(
                    e,
                    {n.pk for n in e.organiser_networks.all()} | _networks_of(e.host_community),
                    {t.pk for t in e.themes.all()},
                    {cast(Country, e.country).code} if e.country else set(),
                )
                for e in events.select_related("host_community")
                .prefetch_related("themes", "organiser_networks", "host_community__networks")
                .order_by("starts_at", "pk")
            ],
        }

    def for_subscription(self, subscription: Subscription) -> dict[str, list[Any]]:
        """The entries of each kind the subscriber chose that match their networks, themes
        and countries (none chosen: any)."""
        return self.pick(SubscriberChoices.of(subscription))

    def _pick(self, choices: "SubscriberChoices") -> dict[str, list[Any]]:
        out = {}
        for kind, entries in self.sections.items():
            if kind not in choices.kinds:
                continue
            out[kind] = [
                e.obj
                for e in entries
                if (not choices.networks or e.networks & choices.networks)
                and (not choices.themes or e.themes & choices.themes)
                and (not choices.countries or e.countries & choices.countries)
            ][:SECTION_LENGTH]
        return out


@dataclass(frozen=True)
class SubscriberChoices:
    """What a subscriber chose, as a key: subscribers who chose alike get the same items."""

    networks: frozenset[int]
    themes: frozenset[int]
    countries: frozenset[str]
    kinds: frozenset[str]

    @classmethod
    def of(cls, subscription: Subscription) -> "SubscriberChoices":
        return cls(
            frozenset(n.pk for n in subscription.networks.all()),
            frozenset(t.pk for t in subscription.themes.all()),
            frozenset(c.code for c in cast("list[Country]", subscription.countries)),
            frozenset(subscription.kinds),
        )


# Distinct choices and languages whose rendered message one worker keeps (a body is a few
# tens of kB): a network's subscribers rarely make more, and a miss only renders again.
RENDERED_BODIES = 1024


class IssueMessages:
    """The messages of one issue. Subscribers with the same choices and language get the
    same message but for their signed links, so each such body (subject, text, HTML) is
    rendered once, with a placeholder where the links' signed token goes, and each
    subscriber's message is that body with their own token put in."""

    def __init__(self, issue: Issue, content: IssueContent | None = None):
        self.issue = issue
        self.content = content or IssueContent(issue)
        # Random, so that no text of the issue can contain it; letters and digits only,
        # so that it reads the same in the text and (escaped) in the HTML.
        self._placeholder = secrets.token_hex(16)
        self._body = functools.lru_cache(maxsize=RENDERED_BODIES)(self._render)

    def _render(
        self, language: str, choices: SubscriberChoices
    ) -> tuple[str, str, str, str] | None:
        content = self.content.pick(choices)
        if not self.issue.intro and not any(content.values()):
            return None
        links = manage_links(token=self._placeholder, language=language)
        subject, text, html = email_render(
            template="news/issue",
            context={"issue": self.issue, "content": content, "links": links},
            language=language,
        )
        return subject, text, html, links["unsubscribe"]

    def message(
        self, subscription: Subscription, *, connection: BaseEmailBackend | None = None
    ) -> EmailMultiAlternatives | None:
        """The subscriber's message, or None when the issue holds nothing they chose."""
        body = self._body(subscription.language, SubscriberChoices.of(subscription))
        if body is None:
            return None
        subject, text, html, unsubscribe = body
        token = subscription_token(subscription, salt=MANAGE_SALT)
        return email_assemble(
            to=subscription.email,
            subject=subject,
            text=text.replace(self._placeholder, token),
            html=html.replace(self._placeholder, token),
            connection=connection,
            headers=unsubscribe_headers(
                {"unsubscribe": unsubscribe.replace(self._placeholder, token)}
            ),
        )


def issue_audience(issue: Issue) -> QuerySet[Subscription]:
    """Confirmed subscribers of the issue: of its network (or of every network)."""
    audience = Subscription.objects.filter(status=Subscription.Status.CONFIRMED)
    if issue.network_id:
        audience = audience.filter(
            Q(networks=issue.network_id)
            | ~Q(pk__in=Subscription.networks.through.objects.values("subscription_id"))
        )
    return audience


def issues_managed_by(user: AnyUser) -> QuerySet[Issue]:
    """The issues of the networks a person coordinates (every issue, for the back office)."""
    if not user.is_authenticated:
        return Issue.objects.none()
    if user.has_perm(HUB_PERMISSION):
        return Issue.objects.all()
    return Issue.objects.filter(network__in=networks_coordinated(user))


def issue_get_for_coordinator(*, pk: int, user: User) -> Issue:
    issue = issues_managed_by(user).select_related("network").filter(pk=pk).first()
    if issue is None:
        raise Http404
    return issue


def issue_counts(issue: Issue) -> dict[str, int]:
    rows = issue.deliveries.values("status").annotate(n=Count("pk")).order_by()
    counts = dict.fromkeys(Delivery.Status.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    counts["repeated"] = issue.deliveries.filter(attempts__gt=1).count()
    return counts


def issues_writable_networks(user: AnyUser) -> QuerySet[Network]:
    """The networks whose issues a person writes."""
    if not user.is_authenticated:
        return Network.objects.none()
    if user.has_perm(HUB_PERMISSION):
        return Network.objects.all()
    return networks_coordinated(user)


def digests_of(networks: QuerySet[Network]) -> list[tuple[Network, str | Promise]]:
    """Each network with its automatic digest's frequency (none unless chosen)."""
    chosen = dict(
        Digest.objects.filter(network__in=networks).values_list("network_id", "frequency")
    )
    return [
        (network, Digest.Frequency(chosen.get(network.pk, Digest.Frequency.NONE)).label)
        for network in networks.order_by("name")
    ]


def issue_preview(*, issue: Issue, email: str = "") -> dict[str, str]:
    """The issue as one confirmed subscriber of its audience would get it (`email`), or as
    a subscriber of everything: subject, text and HTML."""
    subscription = (
        issue_audience(issue).filter(email=email.strip().lower()).first() if email else None
    ) or Subscription(
        pk=0, email="", language=translation.get_language() or "en",
        kinds=list(Subscription.Kind.values),
    )  # fmt: skip
    content = IssueContent(issue).for_subscription(subscription)
    links = subscription_links(subscription)
    message = email_message(
        to=subscription.email or "preview@invalid",
        template="news/issue",
        context={"issue": issue, "content": content, "links": links},
        language=subscription.language,
    )
    html = next(body for body, mimetype in message.alternatives if mimetype == "text/html")
    return {
        "email": subscription.email,
        "subject": str(message.subject),
        "text": str(message.body),
        "html": str(html),
    }
