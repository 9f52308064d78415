"""The figures of a coordinator's dashboard over their networks and a period: members and
communities over time, what was published, what waits for review and how long it waited,
events held with attendance and survey results, subscribers and newsletters, page views.

Every figure is one query however many rows it counts (the page's query count is pinned by
a test); months are counted in the hub's time zone."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

import pygal
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pygal.style import Style

from villagehub.accounts.models import Role
from villagehub.accounts.selectors import networks_coordinated
from villagehub.communities.models import Community, Network
from villagehub.contributions.models import Submission
from villagehub.core.models import PageView
from villagehub.core.types import User
from villagehub.events.models import Event, Registration
from villagehub.events.selectors import FeedbackSummary, feedback_summary_by
from villagehub.events.statistics import Estimate
from villagehub.indicators.models import IndicatorValue
from villagehub.news.models import Delivery, Issue, NewsItem, Subscription
from villagehub.practices.models import Practice

PERIODS = {"3m": 3, "12m": 12, "24m": 24}


class DashboardForm(forms.Form):
    """The period and, for a person coordinating several, one network (none: all)."""

    period = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=[
            ("3m", _("The last 3 months")),
            ("12m", _("The last 12 months")),
            ("24m", _("The last 24 months")),
        ],
    )
    network = forms.ModelChoiceField(
        label=_("Network"),
        required=False,
        queryset=Network.objects.none(),
        to_field_name="slug",
        empty_label=_("All my networks"),
    )

    def __init__(self, *args: Any, networks: QuerySet[Network], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        network = cast("forms.ModelChoiceField[Network]", self.fields["network"])
        network.queryset = networks.order_by("name")


def dashboard_networks(user: User) -> QuerySet[Network]:
    """The networks whose dashboard a person sees: those they coordinate."""
    return networks_coordinated(user)


def months_of(period: str, now: datetime) -> list[date]:
    """The first day of each month of the period, the current month last."""
    local = timezone.localtime(now)
    year, month = local.year, local.month
    months = []
    for _n in range(PERIODS.get(period, 12)):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _start(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=timezone.get_current_timezone())


def _per_month(queryset: QuerySet[Any], field: str, months: list[date]) -> list[int]:
    """How many rows fall in each month (one query)."""
    rows = (
        queryset.filter(**{f"{field}__gte": _start(months[0])})
        .annotate(month=TruncMonth(field))
        .order_by()
        .values("month")
        .annotate(n=Count("pk", distinct=True))
        .values_list("month", "n")
    )
    counts = {timezone.localtime(m).date() if isinstance(m, datetime) else m: n for m, n in rows}
    return [counts.get(month, 0) for month in months]


def _cumulative(firsts: list[datetime], months: list[date]) -> list[int]:
    """How many of these moments fall before the end of each month."""
    totals = []
    for index, _month in enumerate(months):
        end = _start(months[index + 1]) if index + 1 < len(months) else None
        totals.append(sum(1 for moment in firsts if end is None or moment < end))
    return totals


@dataclass
class Group:
    """Events held, grouped by series or host, with attendance and survey results."""

    name: str
    events: int
    attendees: int
    summary: FeedbackSummary


@dataclass
class Figures:
    months: list[date]
    communities: list[int]
    members: list[int]
    practices: list[int]
    news: list[int]
    waiting: int
    waiting_longest_days: int | None
    decided: int
    decided_average_days: float | None
    events_held: int
    attendees: int
    by_series: list[Group] = field(default_factory=list)
    by_host: list[Group] = field(default_factory=list)
    subscribers: int = 0
    new_subscribers: list[int] = field(default_factory=list)
    issues_sent: int = 0
    messages_sent: int = 0
    news_views: int = 0
    indicator_values: int = 0

    def monthly_rows(self) -> list[tuple[Any, ...]]:
        """One row per month: the table and the CSV under the chart."""
        return list(
            zip(
                self.months,
                self.communities,
                self.members,
                self.practices,
                self.news,
                self.new_subscribers,
                strict=True,
            )
        )


def _groups(events: QuerySet[Event], field: str, names: dict[int, str]) -> list[Group]:
    counts = dict(events.order_by().values(field).annotate(n=Count("pk")).values_list(field, "n"))
    summaries = feedback_summary_by(events, field)
    groups = [
        Group(
            name=names.get(key, ""),
            events=n,
            attendees=summaries[key].attendees if key in summaries else 0,
            summary=summaries.get(key) or FeedbackSummary(0, 0, None, None, None, None, None),
        )
        for key, n in counts.items()
    ]
    return sorted(groups, key=lambda g: (not g.name, g.name))


def dashboard_figures(
    *, networks: QuerySet[Network], period: str, now: datetime | None = None
) -> Figures:
    now = now or timezone.now()
    months = months_of(period, now)
    start = _start(months[0])
    network_ids = list(networks.values_list("pk", flat=True))
    communities = Community.objects.filter(networks__in=network_ids)
    community_ids = communities.values("pk")

    community_firsts = [
        created
        for _pk, created in communities.order_by().values_list("pk", "created_at").distinct()
    ]
    member_firsts = list(
        Role.objects.filter(
            Q(kind=Role.Kind.COORDINATOR, network__in=network_ids)
            | Q(kind=Role.Kind.COMMUNITY_EDITOR, community__in=community_ids)
        )
        .order_by()
        .values("user")
        .annotate(first=Min("granted_at"))
        .values_list("first", flat=True)
    )
    mine = Q(network__in=network_ids) | Q(community__in=community_ids)
    submissions = Submission.objects.filter(mine)
    waiting = list(
        submissions.filter(status=Submission.Status.SUBMITTED).values_list("updated_at", flat=True)
    )
    # Those decided since the start: none without a decision.
    decided = cast(
        list[tuple[datetime, datetime]],
        list(submissions.filter(decided_at__gte=start).values_list("created_at", "decided_at")),
    )
    events = Event.objects.filter(
        pk__in=Event.objects.filter(
            Q(organiser_networks__in=network_ids) | Q(series__networks__in=network_ids)
        ).values("pk"),
        status=Event.Status.PUBLISHED,
        starts_at__gte=start,
        starts_at__lte=now,
    )
    series_names = dict(
        events.filter(series__isnull=False)
        .order_by()
        .values_list("series_id", "series__name")
        .distinct()
    )
    host_names = dict(
        events.filter(host_community__isnull=False)
        .order_by()
        .values_list("host_community_id", "host_community__name")
        .distinct()
    )
    by_series = _groups(events, "series", series_names)
    by_host = _groups(events, "host_community", host_names)
    subscribers = Subscription.objects.filter(status=Subscription.Status.CONFIRMED).filter(
        Q(networks__in=network_ids)
        | ~Q(pk__in=Subscription.networks.through.objects.values("subscription_id"))
    )
    issues = Issue.objects.filter(
        network__in=network_ids, status=Issue.Status.SENT, sent_at__gte=start
    )
    news = NewsItem.objects.filter(mine)
    day = timezone.localtime(now).date()
    return Figures(
        months=months,
        communities=_cumulative(community_firsts, months),
        members=_cumulative(member_firsts, months),
        practices=_per_month(
            Practice.objects.filter(community__in=community_ids, is_published=True),
            "created_at",
            months,
        ),
        news=_per_month(news.filter(published_at__isnull=False), "published_at", months),
        waiting=len(waiting),
        waiting_longest_days=(now - min(waiting)).days if waiting else None,
        decided=len(decided),
        decided_average_days=round(
            sum((d - c).total_seconds() for c, d in decided) / len(decided) / 86400, 1
        )
        if decided
        else None,
        events_held=sum(g.events for g in by_series),
        attendees=Registration.objects.filter(event__in=events, attended=True).count(),
        by_series=by_series,
        by_host=by_host,
        subscribers=subscribers.distinct().count(),
        new_subscribers=_per_month(subscribers, "confirmed_at", months),
        issues_sent=issues.count(),
        messages_sent=Delivery.objects.filter(
            issue__in=issues, status=Delivery.Status.SENT
        ).count(),
        indicator_values=IndicatorValue.objects.filter(
            community__in=community_ids, created_at__gte=start
        ).count(),
        news_views=PageView.objects.filter(
            content_type=ContentType.objects.get_for_model(NewsItem),
            object_id__in=news.values("pk"),
            day__gte=months[0],
            day__lte=day,
        ).aggregate(n=Sum("count"))["n"]
        or 0,
    )


def figures_csv_rows(figures: Figures) -> list[list[Any]]:
    """The dashboard as CSV rows: (figure, month or group, value)."""
    rows: list[list[Any]] = [["figure", "month_or_group", "value"]]
    for month, communities, members, practices, news, subscribers in figures.monthly_rows():
        key = month.strftime("%Y-%m")
        rows += [
            ["communities", key, communities],
            ["members", key, members],
            ["practices_published", key, practices],
            ["news_published", key, news],
            ["new_subscribers", key, subscribers],
        ]
    rows += [
        ["contributions_waiting", "", figures.waiting],
        ["contributions_waiting_longest_days", "", figures.waiting_longest_days],
        ["contributions_decided", "", figures.decided],
        ["contributions_decided_average_days", "", figures.decided_average_days],
        ["events_held", "", figures.events_held],
        ["attendees", "", figures.attendees],
        ["subscribers", "", figures.subscribers],
        ["newsletters_sent", "", figures.issues_sent],
        ["newsletter_messages_sent", "", figures.messages_sent],
        ["news_views", "", figures.news_views],
        ["indicator_values", "", figures.indicator_values],
    ]
    for prefix, groups in (("series", figures.by_series), ("host", figures.by_host)):
        for group in groups:
            summary = group.summary
            rows += [
                [f"{prefix}_events", group.name, group.events],
                [f"{prefix}_attendees", group.name, group.attendees],
                [f"{prefix}_responses", group.name, summary.responses],
                [f"{prefix}_attend_again_percent", group.name, _value(summary.attend_again)],
                [f"{prefix}_recommend_percent", group.name, _value(summary.promoters)],
                [f"{prefix}_nps", group.name, _value(summary.nps)],
            ]
    return rows


def _value(estimate: Estimate | None) -> float | None:
    return None if estimate is None else round(estimate.value, 1)


def dashboard_chart(figures: Figures, title: str, labels: dict[str, str]) -> str:
    """An SVG bar chart (no script) of what was published and who joined, per month."""
    style = Style(
        background="white",
        plot_background="white",
        foreground="#1a1a1a",
        foreground_strong="#1a1a1a",
        foreground_subtle="#555",
        colors=("#1d5f8a", "#a33c00", "#2f6b1f"),
        font_family="system-ui, sans-serif",
    )
    chart = pygal.Bar(
        style=style, js=[], width=720, height=320, title=title, x_label_rotation=20,
        explicit_size=False,
    )  # fmt: skip
    chart.x_labels = [month.strftime("%Y-%m") for month in figures.months]
    chart.add(labels["practices"], figures.practices)
    chart.add(labels["news"], figures.news)
    chart.add(labels["subscribers"], figures.new_subscribers)
    svg: str = chart.render(is_unicode=True)
    return svg
