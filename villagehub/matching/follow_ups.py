"""Reads of followed matches: those of the people on either side, and the coordinators'
pipeline (counts per stage and the time spent in each, in all, per network and per theme)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from villagehub.accounts.selectors import networks_coordinated
from villagehub.communities.models import Network
from villagehub.contributions.selectors import (
    communities_edited_by,
    communities_reviewed_by,
    organisations_edited_by,
)
from villagehub.practices.models import Practice
from villagehub.solutions.models import ReferenceInstallation, Solution
from villagehub.strategies.models import Need
from villagehub.strategies.selectors import strategies_edited_by

from .models import FollowUp


def follow_ups_of(user: User) -> QuerySet[FollowUp]:
    """The matches a person follows: of the strategies they write (a community's, or a
    network's own) or of the providers they edit."""
    if not user.is_authenticated:
        return FollowUp.objects.none()
    return FollowUp.objects.filter(
        Q(need__strategy__in=strategies_edited_by(user))
        | Q(solution__provider__in=organisations_edited_by(user))
    ).select_related("need__strategy__community", "need__strategy__network", "solution__provider")


def follow_up_get_for_party(*, pk: int, user: User) -> FollowUp:
    follow_up = follow_ups_of(user).filter(pk=pk).first()
    if follow_up is None:
        raise Http404
    return follow_up


def follow_up_get_for_community_editor(*, pk: int, user: User) -> FollowUp:
    """A followed match whose need is of a community the person edits: only they propose
    its practice (a practice belongs to a community)."""
    follow_up = (
        follow_ups_of(user)
        .filter(pk=pk, need__strategy__community__in=communities_edited_by(user))
        .first()
    )
    if follow_up is None:
        raise Http404
    return follow_up


BUDGETS = (  # a need's budget (its upper end) as a practice's budget range
    (10_000, Practice.Budget.UNDER_10K),
    (50_000, Practice.Budget.TO_50K),
    (200_000, Practice.Budget.TO_200K),
    (1_000_000, Practice.Budget.TO_1M),
)


def _budget_range(amount: int | None) -> str:
    if amount is None:
        return ""
    return next((band for limit, band in BUDGETS if amount < limit), Practice.Budget.OVER_1M)


def practice_draft(follow_up: FollowUp) -> dict:
    """A practice proposal's first values, from the need (its language, text, themes,
    funding and budget), the solution (in the need's language when translated) and the
    community and its reference installation; the editor completes them."""
    need, solution = follow_up.need, follow_up.solution
    community = need.strategy.community
    language = need.language
    reference = ReferenceInstallation.objects.filter(solution=solution, community=community).first()
    with translation.override(language):
        title = _("%(solution)s in %(community)s") % {
            "solution": solution.localized("name", language).text,
            "community": community.name,
        }
        summary = _(
            "%(community)s looked for an answer to “%(need)s” and found %(solution)s of "
            "%(provider)s through the hub; after a pilot it became a reference installation."
        ) % {
            "community": community.name,
            "need": need.title,
            "solution": solution.localized("name", language).text,
            "provider": solution.provider.name,
        }
        involved = _("%(community)s and %(provider)s.") % {
            "community": community.name,
            "provider": solution.provider.name,
        }
    themes = {t.slug for t in need.themes.all()} | {t.slug for t in solution.themes.all()}
    return {
        "title": title[:200],
        "summary": summary[:600],
        "description": "",
        "challenge": need.description or need.title,
        "approach": solution.localized("summary", language).text,
        "involved": involved,
        "results": reference.achieved if reference else "",
        "lessons": "",
        "budget_range": _budget_range(need.budget_max or need.budget_min),
        "funding_sources": [need.funding_source.slug] if need.funding_source_id else [],
        "volunteers": None,
        "contact_role": "",
        "contact_email": "",
        "contact_consent": False,
        "language": language,
        "themes": sorted(themes),
        "image_alt": "",
    }


def match_get_for_party(*, need_id: int, solution_id: int, user: User):
    """A published need and solution that the person may follow: one of them is theirs."""
    need = Need.objects.filter(pk=need_id, is_published=True).select_related("strategy").first()
    solution = Solution.objects.filter(pk=solution_id, status=Solution.Status.PUBLISHED).first()
    if need is None or solution is None or not user.is_authenticated:
        raise Http404
    theirs = (
        strategies_edited_by(user).filter(pk=need.strategy_id).exists()
        or organisations_edited_by(user).filter(pk=solution.provider_id).exists()
    )
    if not theirs:
        raise Http404
    return need, solution


Figures = tuple[int, float | None]  # matches in a stage, mean days spent in it


@dataclass(frozen=True)
class Pipeline:
    stages: list[tuple[str, str]]  # stage, label
    total: list[Figures]  # per stage
    by_network: list[tuple[str, list[Figures]]]  # network name, figures per stage
    by_theme: list[tuple[str, list[Figures]]]  # theme name, figures per stage

    @property
    def overall(self) -> list[tuple[str, int, float | None]]:
        pairs = zip(self.stages, self.total, strict=True)
        return [(label, *figures) for (_stage, label), figures in pairs]


class _Tally:
    """Matches and the days they spent, per stage, of one group of followed matches."""

    def __init__(self, stages: list[str]) -> None:
        self.stages = stages
        self.counts = dict.fromkeys(stages, 0)
        self.days: dict[str, list[float]] = defaultdict(list)

    def add(self, stage: str, spent: list[tuple[str, float]]) -> None:
        self.counts[stage] += 1
        for name, days in spent:
            self.days[name].append(days)

    def figures(self) -> list[Figures]:
        return [
            (
                self.counts[stage],
                round(sum(self.days[stage]) / len(self.days[stage]), 1)
                if self.days[stage]
                else None,
            )
            for stage in self.stages
        ]


def pipeline(*, user: User, language: str) -> Pipeline:
    """The followed matches of the communities a coordinator reviews and of the networks
    they coordinate (a network's own strategy has needs too), in all and per network and
    theme. A match of a community in two of the person's networks counts in each."""
    networks = (
        Network.objects.all()
        if user.has_perm("practices.change_practice")
        else networks_coordinated(user)
    )
    follow_ups = FollowUp.objects.filter(
        Q(need__strategy__community__in=communities_reviewed_by(user))
        | Q(need__strategy__network__in=networks)
    ).prefetch_related(
        "need__themes",
        Prefetch(
            "need__strategy__community__networks",
            queryset=networks.order_by(),
            to_attr="networks_shown",
        ),
        "need__strategy__network",
    )
    stages = list(FollowUp.Stage.values)
    total = _Tally(stages)
    per_network: dict[str, _Tally] = {}
    per_theme: dict[str, _Tally] = {}
    now = timezone.now()
    for follow_up in follow_ups:
        times = [datetime.datetime.fromisoformat(h["at"]) for h in follow_up.history]
        spent = [
            (entry["stage"], (end - start).total_seconds() / 86400)
            for entry, start, end in zip(follow_up.history, times, [*times[1:], now], strict=True)
        ]
        total.add(follow_up.stage, spent)
        strategy = follow_up.need.strategy
        owners = [strategy.network] if strategy.network_id else strategy.community.networks_shown
        for network in owners:
            per_network.setdefault(network.name, _Tally(stages)).add(follow_up.stage, spent)
        for theme in follow_up.need.themes.all():
            name = theme.localized("name", language).text
            per_theme.setdefault(name, _Tally(stages)).add(follow_up.stage, spent)
    return Pipeline(
        stages=[(stage, FollowUp.Stage(stage).label) for stage in stages],
        total=total.figures(),
        by_network=sorted((name, tally.figures()) for name, tally in per_network.items()),
        by_theme=sorted((name, tally.figures()) for name, tally in per_theme.items()),
    )
