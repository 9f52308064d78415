"""Proposals for a need (solutions) and for a solution (needs), with their reasons.

The profiles of every published solution and need are read once per process and kept
until one of them changes (`_state`: their table versions, one small indexed read).
"""

import threading
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django_countries import countries

from villagehub.communities.models import SIZE_BANDS, Community
from villagehub.core.templatetags.hub import language_name
from villagehub.core.versions import tables_version
from villagehub.solutions.models import ReferenceInstallation, Solution
from villagehub.strategies.models import Need
from villagehub.taxonomy.models import FundingSource, Theme

from .engine import Index, Match, Profile, idf_table, text_tokens, theme_words


def size_band(population: int | None) -> str | None:
    if population is None:
        return None
    for key, (_label, low, high) in SIZE_BANDS.items():
        if population >= low and (high is None or population <= high):
            return key
    return None


def _labels() -> list[tuple[int, str, str]]:
    rows = []
    for pk, language, name, translations in Theme.objects.values_list(
        "pk", "language", "name", "translations"
    ):
        rows.append((pk, language, name))
        rows.extend((pk, lang, values.get("name", "")) for lang, values in translations.items())
    return rows


def _texts(obj_fields: dict, language: str, translations: dict, names: tuple[str, ...]):
    yield from ((obj_fields[n], language) for n in names)
    for lang, values in (translations or {}).items():
        yield from ((values.get(n, ""), lang) for n in names)


def _tokens(row: dict, fields: tuple[str, ...], words) -> dict:
    tokens, named = text_tokens(_texts(row, row["language"], row["translations"], fields), words)
    return {"tokens": tokens, "text_themes": named}


def solution_profiles(words) -> list[Profile]:
    themes = defaultdict(set)
    for sid, tid in Solution.themes.through.objects.values_list("solution_id", "theme_id"):
        themes[sid].add(tid)
    funding = defaultdict(set)
    for sid, fid in Solution.funding_sources.through.objects.values_list(
        "solution_id", "fundingsource_id"
    ):
        funding[sid].add(fid)
    bands = defaultdict(lambda: defaultdict(int))
    for sid, population in ReferenceInstallation.objects.values_list(
        "solution_id", "community__population"
    ):
        band = size_band(population)
        if band:
            bands[sid][band] += 1
    profiles = []
    rows = Solution.objects.filter(status=Solution.Status.PUBLISHED).values(
        "pk", "name", "summary", "description", "language", "translations", "languages",
        "countries", "price_min",
    )  # fmt: skip
    for row in rows.iterator(chunk_size=2000):
        profiles.append(
            Profile(
                pk=row["pk"],
                themes=frozenset(themes[row["pk"]]),
                **_tokens(row, Solution.translatable_fields, words),
                text_languages=frozenset([row["language"], *(row["translations"] or {})]),
                languages=frozenset(row["languages"].split()),
                countries=frozenset(row["countries"].split()),
                reference_bands=dict(bands[row["pk"]]),
                funding=frozenset(funding[row["pk"]]),
                money_min=row["price_min"],
            )
        )
    return profiles


def need_profiles(words) -> list[Profile]:
    themes = defaultdict(set)
    for nid, tid in Need.themes.through.objects.values_list("need_id", "theme_id"):
        themes[nid].add(tid)
    profiles = []
    rows = Need.objects.filter(is_published=True).values(
        "pk", "title", "description", "language", "translations", "funding_source_id",
        "budget_min", "budget_max", "strategy__community__country",
        "strategy__community__population",
    )  # fmt: skip
    for row in rows.iterator(chunk_size=2000):
        country = row["strategy__community__country"]
        profiles.append(
            Profile(
                pk=row["pk"],
                themes=frozenset(themes[row["pk"]]),
                **_tokens(row, Need.translatable_fields, words),
                text_languages=frozenset([row["language"], *(row["translations"] or {})]),
                countries=frozenset([country] if country else []),
                size_band=size_band(row["strategy__community__population"]),
                funding=frozenset([row["funding_source_id"]] if row["funding_source_id"] else []),
                money_min=row["budget_min"],
                money_max=row["budget_max"],
            )
        )
    return profiles


@dataclass
class Indexes:
    state: tuple
    solutions: Index
    needs: Index
    themes: dict[int, Theme]
    funding: dict[int, FundingSource]


_lock = threading.Lock()
_kept: Indexes | None = None


def _state() -> tuple:
    """The versions of every table the index reads: one indexed read of a few rows."""
    # With the time of the last change: emptied and refilled tables (tests) count again.
    return tables_version([Solution, ReferenceInstallation, Need, Community, Theme])


def indexes_build() -> Indexes:
    words = theme_words(_labels())
    solutions = solution_profiles(words)
    needs = need_profiles(words)
    idf = idf_table([*solutions, *needs])
    return Indexes(
        state=(),
        solutions=Index(solutions, idf),
        needs=Index(needs, idf),
        themes=Theme.objects.in_bulk(),
        funding=FundingSource.objects.in_bulk(),
    )


def indexes() -> Indexes:
    """The kept indexes, read again when a solution, need, reference or theme changed."""
    global _kept
    state = _state()
    with _lock:
        if _kept is None or _kept.state != state:
            built = indexes_build()
            built.state = state
            _kept = built
        return _kept


def profile_of_need(need: Need, built: Indexes) -> Profile:
    kept = built.needs.by_pk.get(need.pk)
    if kept is not None:
        return kept
    words = theme_words(_labels())
    community = need.strategy.community
    return Profile(
        pk=need.pk,
        themes=frozenset(t.pk for t in need.themes.all()),
        **_tokens(vars(need), Need.translatable_fields, words),
        text_languages=frozenset([need.language, *(need.translations or {})]),
        countries=frozenset([community.country.code] if community else []),
        size_band=size_band(community.population) if community else None,
        funding=frozenset([need.funding_source_id] if need.funding_source_id else []),
        money_min=need.budget_min,
        money_max=need.budget_max,
    )


@dataclass(frozen=True)
class Proposal:
    record: object  # a Solution or a Need
    score: float
    reasons: list[str]


def reasons(match: Match, *, need: Profile, solution: Profile, built: Indexes) -> list[str]:
    """Why a pair was proposed, in the active language: one sentence per part that counts."""
    language = get_language() or "en"
    themes = built.themes
    out = []
    if match.shared_themes:
        out.append(
            ngettext("Same theme: %(themes)s", "Same themes: %(themes)s", len(match.shared_themes))
            % {
                "themes": ", ".join(
                    themes[t].localized("name", language).text for t in sorted(match.shared_themes)
                )
            }
        )
    bridged = match.text_themes - match.shared_themes
    if bridged:
        out.append(
            _("Both descriptions speak of %(themes)s")
            % {
                "themes": ", ".join(
                    themes[t].localized("name", language).text for t in sorted(bridged)
                )
            }
        )
    if match.shared_words and "text" in match.parts:
        out.append(_("Words in common: %(words)s") % {"words": ", ".join(match.shared_words)})
    if "references" in match.parts:
        count = solution.reference_bands[need.size_band]
        label = SIZE_BANDS[need.size_band][0]
        out.append(
            ngettext(
                "%(count)d reference installation in a place of %(size)s",
                "%(count)d reference installations in places of %(size)s",
                count,
            )
            % {"count": count, "size": label}
        )
    if "language" in match.parts:
        if need.text_languages & solution.text_languages:
            out.append(_("Described in the need's language"))
        else:
            codes = sorted(need.text_languages & solution.languages)
            out.append(_("Offered in %(language)s") % {"language": language_name(codes[0])})
    if "country" in match.parts:
        country = countries.name(sorted(need.countries & solution.countries)[0])
        out.append(_("Serves %(country)s") % {"country": country})
    if "funding" in match.parts:
        names = [
            built.funding[pk].localized("name", language).text
            for pk in sorted(need.funding & solution.funding)
        ]
        out.append(_("Qualifies for %(funding)s") % {"funding": ", ".join(names)})
    if match.parts.get("budget", 0) > 0:
        out.append(_("Its price fits the budget"))
    elif match.parts.get("budget", 0) < 0:
        out.append(_("Its lowest price is above the budget"))
    return out


def solutions_for_need(*, need: Need, limit: int = 5) -> list[Proposal]:
    built = indexes()
    profile = profile_of_need(need, built)
    matches = built.solutions.search(profile, limit=limit, query_is_need=True)
    records = (
        Solution.objects.select_related("provider")
        .defer("search_terms", "description")
        .in_bulk([m.pk for m in matches])
    )
    return [
        Proposal(
            record=records[m.pk],
            score=m.score,
            reasons=reasons(m, need=profile, solution=built.solutions.by_pk[m.pk], built=built),
        )
        for m in matches
        if m.pk in records
    ]


def needs_for_solution(*, solution: Solution, limit: int = 5) -> list[Proposal]:
    built = indexes()
    profile = built.solutions.by_pk.get(solution.pk)
    if profile is None:
        return []
    matches = built.needs.search(profile, limit=limit, query_is_need=False)
    records = (
        Need.objects.select_related("strategy__community")
        .defer("search_terms", "description")
        .in_bulk([m.pk for m in matches])
    )
    return [
        Proposal(
            record=records[m.pk],
            score=m.score,
            reasons=reasons(m, need=built.needs.by_pk[m.pk], solution=profile, built=built),
        )
        for m in matches
        if m.pk in records
    ]
