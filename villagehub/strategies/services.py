"""The one write path of strategies: the working copy, its review, and its versions."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from villagehub.communities.models import Community, Network
from villagehub.core.services import model_save
from villagehub.core.types import User
from villagehub.notices.models import Kind as NoticeKind
from villagehub.notices.selectors import editors_of, path_for
from villagehub.notices.services import notices_create, notices_send
from villagehub.solutions.services import text_terms
from villagehub.taxonomy.models import FundingSource, Theme

from .models import Action, Indicator, Need, Objective, Strategy, StrategyVersion
from .selectors import strategy_snapshot


def _changed(strategy: Strategy) -> None:
    """The working copy now differs from what was published: it waits for a new review."""
    Strategy.objects.filter(pk=strategy.pk).exclude(status=Strategy.Status.DRAFT).update(
        status=Strategy.Status.DRAFT, updated_at=timezone.now()
    )


@transaction.atomic
def strategy_create(
    *,
    community: Community | None = None,
    network: Network | None = None,
    title: str,
    language: str = "en",
    vision: str = "",
    needs_analysis: str = "",
    assets_analysis: str = "",
    meetings_held: int = 0,
    people_involved: int = 0,
) -> Strategy:
    return model_save(
        Strategy(community=community, network=network),
        {
            "title": title,
            "language": language,
            "vision": vision,
            "needs_analysis": needs_analysis,
            "assets_analysis": assets_analysis,
            "meetings_held": meetings_held,
            "people_involved": people_involved,
        },
    )


@transaction.atomic
def strategy_update(
    *,
    strategy: Strategy,
    title: str,
    language: str = "en",
    vision: str = "",
    needs_analysis: str = "",
    assets_analysis: str = "",
    meetings_held: int = 0,
    people_involved: int = 0,
) -> Strategy:
    strategy = Strategy.objects.select_for_update().get(pk=strategy.pk)
    return model_save(
        strategy,
        {
            "title": title,
            "language": language,
            "vision": vision,
            "needs_analysis": needs_analysis,
            "assets_analysis": assets_analysis,
            "meetings_held": meetings_held,
            "people_involved": people_involved,
            "status": Strategy.Status.DRAFT,
        },
    )


@transaction.atomic
def objective_add(
    *, strategy: Strategy, title: str, description: str = "", position: int = 0
) -> Objective:
    objective = model_save(
        Objective(strategy=strategy),
        {"title": title, "description": description, "position": position},
    )
    _changed(strategy)
    return objective


@transaction.atomic
def action_add(
    *,
    strategy: Strategy,
    title: str,
    objective: Objective | None = None,
    owner: str = "",
    partners: str = "",
    budget: int | None = None,
    funding_source: FundingSource | None = None,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    status: str = Action.Status.PLANNED,
    themes: Iterable[Theme] = (),
) -> Action:
    action = model_save(
        Action(strategy=strategy),
        {
            "title": title,
            "objective": objective,
            "owner": owner,
            "partners": partners,
            "budget": budget,
            "funding_source": funding_source,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "status": status,
            "themes": list(themes),
        },
    )
    _changed(strategy)
    return action


@transaction.atomic
def action_status_set(*, action: Action, status: str) -> Action:
    action = model_save(Action.objects.select_for_update().get(pk=action.pk), {"status": status})
    _changed(action.strategy)
    return action


@transaction.atomic
def indicator_add(
    *,
    strategy: Strategy,
    name: str,
    baseline: Decimal,
    target: Decimal,
    target_year: int,
    unit: str = "",
    latest_value: Decimal | None = None,
    latest_year: int | None = None,
    hub_indicator: str = "",
) -> Indicator:
    indicator = model_save(
        Indicator(strategy=strategy),
        {
            "name": name,
            "unit": unit,
            "baseline": baseline,
            "target": target,
            "target_year": target_year,
            "latest_value": latest_value,
            "latest_year": latest_year,
            "hub_indicator": hub_indicator,
        },
    )
    _changed(strategy)
    return indicator


@transaction.atomic
def indicator_value_set(*, indicator: Indicator, value: Decimal, year: int) -> Indicator:
    indicator = model_save(
        Indicator.objects.select_for_update().get(pk=indicator.pk),
        {"latest_value": value, "latest_year": year},
    )
    _changed(indicator.strategy)
    return indicator


@transaction.atomic
def need_add(
    *,
    strategy: Strategy,
    title: str,
    description: str,
    language: str | None = None,
    themes: Iterable[Theme] = (),
    budget_min: int | None = None,
    budget_max: int | None = None,
    funding_source: FundingSource | None = None,
    wanted_from: datetime.date | None = None,
    wanted_by: datetime.date | None = None,
    objective: Objective | None = None,
    action: Action | None = None,
) -> Need:
    """A need, written in the community's language unless another is given."""
    for name, part in (("objective", objective), ("action", action)):
        if part is not None and part.strategy_id != strategy.pk:
            raise ValidationError({name: _("This is not part of this strategy.")})
    need = model_save(
        Need(strategy=strategy),
        {
            "title": title,
            "description": description,
            "language": language or strategy.owner.language,
            "themes": list(themes),
            "budget_min": budget_min,
            "budget_max": budget_max,
            "funding_source": funding_source,
            "wanted_from": wanted_from,
            "wanted_by": wanted_by,
            "objective": objective,
            "action": action,
        },
    )
    need.search_terms = text_terms(need, Need.translatable_fields)
    need.save(update_fields=["search_terms"])
    _changed(strategy)
    return need


PARTS: dict[str, type[Objective | Action | Indicator | Need]] = {
    "objective": Objective,
    "action": Action,
    "indicator": Indicator,
    "need": Need,
}


@transaction.atomic
def strategy_part_delete(*, strategy: Strategy, kind: str, pk: int) -> None:
    """Delete an objective, action, indicator or need of this strategy (only of this one)."""
    model = PARTS.get(kind)
    if model is None:
        raise ValidationError({"kind": _("Unknown part of a strategy.")})
    deleted, _rows = model.objects.filter(strategy=strategy, pk=pk).delete()
    if deleted:
        _changed(strategy)


@transaction.atomic
def strategy_submit(*, strategy: Strategy) -> Strategy:
    strategy = Strategy.objects.select_for_update().get(pk=strategy.pk)
    if strategy.status != Strategy.Status.DRAFT:
        raise ValidationError({"status": _("Only a draft can be sent for review.")})
    strategy.status = Strategy.Status.SUBMITTED
    strategy.save(update_fields=["status", "updated_at"])
    if (community := strategy.community) is not None:
        # A network's strategy is written and published by its own coordinators.
        notices_create(
            networks=community.networks.all(),
            kind=NoticeKind.STRATEGY,
            subject=str(community),
            path=path_for("strategies:review", community.slug),
        )
    return strategy


@transaction.atomic
def strategy_publish(*, strategy: Strategy, by: User | None) -> StrategyVersion:
    """Publish the working copy as the next version; its needs become public."""
    strategy = Strategy.objects.select_for_update().get(pk=strategy.pk)
    if strategy.status != Strategy.Status.SUBMITTED:
        raise ValidationError({"status": _("Only a submitted strategy can be published.")})
    now = timezone.now()
    Strategy.objects.filter(pk=strategy.pk).update(
        status=Strategy.Status.PUBLISHED, version=F("version") + 1, published_at=now
    )
    strategy.refresh_from_db()
    # With the time: the matching's kept index reads again the needs changed since.
    strategy.needs.update(is_published=True, updated_at=now)
    if (community := strategy.community) is not None:
        editors = editors_of(community=community)
        notices_send(
            users=editors.exclude(pk=by.pk) if by is not None else editors,
            kind=NoticeKind.PUBLISHED,
            subject=str(community),
            path=path_for("strategies:strategy", community.slug),
        )
    return StrategyVersion.objects.create(
        strategy=strategy,
        number=strategy.version,
        snapshot=strategy_snapshot(strategy),
        published_at=now,
        published_by=by,
    )
