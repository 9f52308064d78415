"""Reads of strategies: the published version and its progress, and the scoped lookups of
the editors who write a strategy and the coordinators who publish it."""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils.functional import Promise
from django_countries.fields import Country

from villagehub.accounts.selectors import networks_coordinated
from villagehub.communities.models import Community, Network
from villagehub.contributions.selectors import communities_edited_by, communities_reviewed_by
from villagehub.core.types import AnyUser, User
from villagehub.indicators.models import IndicatorValue
from villagehub.taxonomy.models import Theme

from .models import Action, Need, Strategy, StrategyVersion


def strategy_snapshot(strategy: Strategy) -> dict[str, Any]:
    """The whole strategy as plain data: what a published version keeps."""
    return {
        "title": strategy.title,
        "language": strategy.language,
        "translations": strategy.translations,
        "vision": strategy.vision,
        "needs_analysis": strategy.needs_analysis,
        "assets_analysis": strategy.assets_analysis,
        "meetings_held": strategy.meetings_held,
        "people_involved": strategy.people_involved,
        "objectives": [
            {"id": o.pk, "title": o.title, "description": o.description}
            for o in strategy.objectives.all()
        ],
        "actions": [
            {
                "id": a.pk,
                "objective": a.objective_id,
                "title": a.title,
                "owner": a.owner,
                "partners": a.partners,
                "budget": a.budget,
                "funding_source": a.funding_source.slug if a.funding_source else None,
                "starts_on": a.starts_on.isoformat() if a.starts_on else None,
                "ends_on": a.ends_on.isoformat() if a.ends_on else None,
                "status": a.status,
                "themes": sorted(t.slug for t in a.themes.all()),
            }
            for a in strategy.actions.select_related("funding_source").prefetch_related("themes")
        ],
        "indicators": [
            {
                "id": i.pk,
                "name": i.name,
                "unit": i.unit,
                "baseline": str(i.baseline),
                "target": str(i.target),
                "target_year": i.target_year,
                "latest_value": None if i.latest_value is None else str(i.latest_value),
                "latest_year": i.latest_year,
                "hub_indicator": i.hub_indicator,
            }
            for i in strategy.indicators.all()
        ],
        "needs": [
            {
                "id": n.pk,
                "title": n.title,
                "description": n.description,
                "language": n.language,
                "themes": sorted(t.slug for t in n.themes.all()),
                "budget_min": n.budget_min,
                "budget_max": n.budget_max,
                "wanted_by": n.wanted_by.isoformat() if n.wanted_by else None,
            }
            for n in strategy.needs.prefetch_related("themes")
        ],
    }


@dataclass(frozen=True)
class IndicatorProgress:
    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    target_year: int
    latest_value: Decimal | None
    latest_year: int | None
    hub_indicator: str = ""  # the code of the hub's indicator it is linked to
    from_hub: bool = False  # the latest value is the community's, published in the hub

    @property
    def percent(self) -> int | None:
        """How far the latest value has come from the baseline towards the target, 0–100."""
        if self.latest_value is None or self.target == self.baseline:
            return None
        share = (self.latest_value - self.baseline) / (self.target - self.baseline)
        return max(0, min(100, round(share * 100)))


@dataclass(frozen=True)
class Progress:
    status_counts: list[tuple[str, str | Promise, int]]  # (status, label, count), every status
    actions_total: int
    indicators: list[IndicatorProgress]
    actions: list[dict[str, Any]]  # the snapshot's actions, each with its status's label


def hub_latest_values(owner: Community | Network | None) -> dict[str, tuple[Decimal, int]]:
    """A community's latest value of each of the hub's indicators it published, with the
    year its period ends (none for a network: the hub's indicators are communities')."""
    if not isinstance(owner, Community):
        return {}
    latest: dict[str, tuple[Decimal, int]] = {}
    for code, value, period_end in IndicatorValue.objects.filter(community=owner).values_list(
        "indicator", "value", "period_end"
    ):  # ordered by period end: the last one stays
        latest[code] = (value.normalize(), period_end.year)
    return latest


def _indicator_progress(
    i: dict[str, Any], hub_values: dict[str, tuple[Decimal, int]]
) -> IndicatorProgress:
    """A linked indicator takes the community's value published in the hub when it is as
    recent as the one written into the strategy, or the strategy has none."""
    latest_value = None if i["latest_value"] is None else Decimal(i["latest_value"])
    latest_year, from_hub = i["latest_year"], False
    code = i.get("hub_indicator") or ""
    if code in hub_values:
        value, year = hub_values[code]
        if latest_value is None or latest_year is None or year >= latest_year:
            latest_value, latest_year, from_hub = value, year, True
    return IndicatorProgress(
        name=i["name"],
        unit=i["unit"],
        baseline=Decimal(i["baseline"]),
        target=Decimal(i["target"]),
        target_year=i["target_year"],
        latest_value=latest_value,
        latest_year=latest_year,
        hub_indicator=code,
        from_hub=from_hub,
    )


def strategy_progress(
    snapshot: dict[str, Any], hub_values: dict[str, tuple[Decimal, int]] | None = None
) -> Progress:
    counts = dict.fromkeys(Action.Status.values, 0)
    for action in snapshot["actions"]:
        counts[action["status"]] += 1
    return Progress(
        status_counts=[(s, Action.Status(s).label, counts[s]) for s in Action.Status.values],
        actions_total=len(snapshot["actions"]),
        indicators=[_indicator_progress(i, hub_values or {}) for i in snapshot["indicators"]],
        actions=[
            {**a, "status_label": Action.Status(a["status"]).label} for a in snapshot["actions"]
        ],
    )


def _owner_q(kind: str, slug: str) -> Q:
    """The strategy of a community or of a network (e.g. a national taskforce), by slug."""
    return Q(**{f"{kind}__slug": slug})


def strategy_version(*, kind: str, slug: str) -> tuple[Community | Network, StrategyVersion | None]:
    """A community or network and the latest published version of its strategy (None if
    none)."""
    model = Community if kind == "community" else Network
    owner = model.objects.filter(slug=slug).first()
    if owner is None:
        raise Http404
    version = (
        StrategyVersion.objects.filter(**{f"strategy__{kind}": owner})
        .select_related("strategy")
        .order_by("-number")
        .first()
    )
    return owner, version


def community_strategy_version(*, slug: str) -> tuple[Community, StrategyVersion | None]:
    community, version = strategy_version(kind="community", slug=slug)
    return cast(Community, community), version


def strategies_edited_by(user: AnyUser) -> QuerySet[Strategy]:
    """Community strategies by their community's editors; a network's by its coordinators."""
    if not user.is_authenticated:
        return Strategy.objects.none()
    return Strategy.objects.filter(
        Q(community__in=communities_edited_by(user)) | Q(network__in=networks_coordinated(user))
    )


def network_get_for_strategy_editor(*, slug: str, user: User) -> Network:
    """A network whose strategy the person writes: one they coordinate."""
    network = networks_coordinated(user).filter(slug=slug).first()
    if network is None:
        raise Http404
    return network


def strategy_get_for_editor(
    *, community_slug: str = "", network_slug: str = "", user: User
) -> Strategy:
    return _strategy_of_owner(strategies_edited_by(user), community_slug, network_slug)


def _strategy_of_owner(
    strategies: QuerySet[Strategy], community_slug: str, network_slug: str
) -> Strategy:
    """The strategy of the network (else the community) named, among those given; a 404 when
    it is not among them, so that guessing a slug reveals nothing."""
    kind, slug = ("network", network_slug) if network_slug else ("community", community_slug)
    strategy = (
        strategies.select_related("community", "network").filter(_owner_q(kind, slug)).first()
    )
    if strategy is None:
        raise Http404
    return strategy


def strategies_reviewed_by(user: AnyUser) -> QuerySet[Strategy]:
    if not user.is_authenticated:
        return Strategy.objects.none()
    return Strategy.objects.filter(
        Q(community__in=communities_reviewed_by(user)) | Q(network__in=networks_coordinated(user))
    )


def strategy_get_for_reviewer(
    *, community_slug: str = "", network_slug: str = "", user: User
) -> Strategy:
    return _strategy_of_owner(strategies_reviewed_by(user), community_slug, network_slug)


def needs_published() -> QuerySet[Need]:
    return Need.objects.filter(is_published=True)


def need_get_published(*, pk: int) -> Need:
    need = (
        needs_published()
        .select_related("strategy__community", "strategy__network", "funding_source")
        .prefetch_related("themes")
        .filter(pk=pk)
        .first()
    )
    if need is None:
        raise Http404
    return need


@dataclass(frozen=True)
class NetworkActions:
    statuses: list[tuple[str, str | Promise]]  # (status, label), every status
    by_theme: list[tuple[str, str, list[int]]]  # theme slug and label ("" for none), per status
    actions: list[dict[str, Any]]  # the actions shown, each with its community and theme labels


def network_actions(
    *, network: Network, language: str, theme: str = "", status: str = ""
) -> NetworkActions:
    """The actions of the latest published strategies of a network's communities: counted
    by theme and status, and listed, of one theme (slug, or "-" for none) and status when
    asked."""
    versions = (
        StrategyVersion.objects.filter(
            strategy__community__networks=network, number=F("strategy__version")
        )
        .select_related("strategy__community")
        .order_by("strategy__community__name", "pk")
    )
    labels = {t.slug: t.localized("name", language).text for t in Theme.objects.all()}
    statuses = list(Action.Status.values)
    by_theme: dict[str, list[int]] = {}
    actions = []
    for version in versions:
        # The versions were chosen through their communities.
        community = cast(Community, version.strategy.community)
        for action in version.snapshot["actions"]:
            slugs = action["themes"] or [""]
            for slug in slugs:
                row = by_theme.setdefault(slug if slug in labels else "", [0] * len(statuses))
                row[statuses.index(action["status"])] += 1
            if theme and (theme if theme != "-" else "") not in slugs:
                continue
            if status and action["status"] != status:
                continue
            actions.append(
                {
                    **action,
                    "community": community,
                    "language": version.snapshot.get("language") or community.language,
                    "status_label": Action.Status(action["status"]).label,
                    "theme_labels": [labels[t] for t in action["themes"] if t in labels],
                }
            )
    return NetworkActions(
        statuses=[(s, Action.Status(s).label) for s in statuses],
        by_theme=sorted(
            ((slug, labels.get(slug, ""), counts) for slug, counts in by_theme.items()),
            key=lambda row: (row[0] == "", row[1]),
        ),
        actions=actions,
    )


NEED_COLUMNS = (
    "id", "title", "description", "language", "translations", "community", "network",
    "country", "themes", "budget_min", "budget_max", "funding_source", "wanted_from",
    "wanted_by", "updated_at",
)  # fmt: skip
STRATEGY_COLUMNS = ("community", "network", "version", "published_at", "content")


def need_rows() -> Iterator[dict[str, Any]]:
    """Every published need as plain values (the bulk downloads), read in chunks."""
    needs = (
        needs_published()
        .select_related("strategy__community", "strategy__network", "funding_source")
        .prefetch_related("themes")
        .order_by("pk")
    )
    for n in needs.iterator(chunk_size=2000):
        community, network = n.strategy.community, n.strategy.network
        owner = cast(Community | Network, community or network)  # a strategy has one
        yield {
            "id": n.pk,
            "title": n.title,
            "description": n.description,
            "language": n.language,
            "translations": n.translations,
            "community": community.slug if community else "",
            "network": network.slug if network else "",
            "country": cast(Country, owner.country).code if owner.country else "",
            "themes": [t.slug for t in n.themes.all()],
            "budget_min": n.budget_min,
            "budget_max": n.budget_max,
            "funding_source": n.funding_source.slug if n.funding_source else "",
            "wanted_from": n.wanted_from.isoformat() if n.wanted_from else None,
            "wanted_by": n.wanted_by.isoformat() if n.wanted_by else None,
            "updated_at": n.updated_at.isoformat(),
        }


def versions_latest() -> QuerySet[StrategyVersion]:
    """Each strategy's latest published version."""
    return StrategyVersion.objects.filter(number=F("strategy__version")).select_related(
        "strategy__community", "strategy__network"
    )


def strategy_rows() -> Iterator[dict[str, Any]]:
    """Each published strategy in its latest version, its content as published."""
    for v in versions_latest().order_by("pk").iterator(chunk_size=500):
        yield {
            "community": v.strategy.community.slug if v.strategy.community else "",
            "network": v.strategy.network.slug if v.strategy.network else "",
            "version": v.number,
            "published_at": v.published_at.isoformat(),
            "content": v.snapshot,
        }
