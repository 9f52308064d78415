"""Proposals for a need (solutions) and for a solution (needs), with their reasons.

The profiles of every published solution and need are read once per process and kept;
when one of their tables was written (`_state`: their versions, one small indexed read),
only the rows changed since are read again (`indexes_update`).
"""

import datetime
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django_countries import countries
from django_countries.fields import Country

from villagehub.communities.models import SIZE_BANDS, Community, Network
from villagehub.core.templatetags.hub import language_name
from villagehub.core.versions import model_tables, tables_state
from villagehub.solutions.models import ReferenceInstallation, Solution
from villagehub.strategies.models import Need
from villagehub.taxonomy.models import FundingSource, Theme

from .engine import Frequencies, Index, Match, Profile, text_tokens, theme_words


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


def _texts(
    obj_fields: Mapping[str, Any],
    language: str,
    translations: dict[str, Any],
    names: tuple[str, ...],
) -> Iterator[tuple[str, str]]:
    yield from ((obj_fields[n], language) for n in names)
    for lang, values in (translations or {}).items():
        yield from ((values.get(n, ""), lang) for n in names)


def _tokens(
    row: Mapping[str, Any], fields: tuple[str, ...], words: dict[str, frozenset[int]]
) -> dict[str, Any]:
    tokens, named = text_tokens(_texts(row, row["language"], row["translations"], fields), words)
    return {"tokens": tokens, "text_themes": named}


def reference_bands(solution_ids: Iterable[int] | None = None) -> dict[int, dict[str, int]]:
    """How many reference installations each solution has in places of each size band."""
    rows = ReferenceInstallation.objects.all()
    if solution_ids is not None:
        rows = rows.filter(solution_id__in=solution_ids)
    bands: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for sid, population in rows.values_list("solution_id", "community__population"):
        band = size_band(population)
        if band:
            bands[sid][band] += 1
    return {sid: dict(counts) for sid, counts in bands.items()}


def _related(
    through: type[Model], owner: str, other: str, ids: list[int] | None
) -> dict[int, set[int]]:
    manager = through._default_manager  # a many-to-many table's only manager
    rows = manager.all() if ids is None else manager.filter(**{f"{owner}__in": ids})
    out: dict[int, set[int]] = defaultdict(set)
    for oid, tid in rows.values_list(owner, other):
        out[oid].add(tid)
    return out


def _chunks(ids: list[int] | None, size: int = 500) -> Iterator[list[int] | None]:
    """All rows at once (ids None), or the given ones in chunks that stay under SQLite's
    limit of variables per query."""
    if ids is None:
        yield None
        return
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def solution_profiles(
    words: dict[str, frozenset[int]], ids: list[int] | None = None
) -> list[Profile]:
    """The profiles of the published solutions (of these ids, or all)."""
    profiles = []
    for chunk in _chunks(ids):
        themes = _related(Solution.themes.through, "solution_id", "theme_id", chunk)
        funding = _related(
            Solution.funding_sources.through, "solution_id", "fundingsource_id", chunk
        )
        bands = reference_bands(chunk)
        rows = Solution.objects.filter(status=Solution.Status.PUBLISHED)
        if chunk is not None:
            rows = rows.filter(pk__in=chunk)
        values = rows.values(
            "pk", "name", "summary", "description", "language", "translations", "languages",
            "countries", "price_min", "updated_at",
        )  # fmt: skip
        for row in values.iterator(chunk_size=2000):
            profiles.append(
                Profile(
                    pk=row["pk"],
                    themes=frozenset(themes[row["pk"]]),
                    **_tokens(row, Solution.translatable_fields, words),
                    text_languages=frozenset([row["language"], *(row["translations"] or {})]),
                    languages=frozenset(row["languages"].split()),
                    countries=frozenset(row["countries"].split()),
                    reference_bands=bands.get(row["pk"], {}),
                    funding=frozenset(funding[row["pk"]]),
                    money_min=row["price_min"],
                    updated_at=row["updated_at"],
                )
            )
    return profiles


def need_profiles(words: dict[str, frozenset[int]], ids: list[int] | None = None) -> list[Profile]:
    """The profiles of the published needs (of these ids, or all)."""
    profiles = []
    for chunk in _chunks(ids):
        themes = _related(Need.themes.through, "need_id", "theme_id", chunk)
        rows = Need.objects.filter(is_published=True)
        if chunk is not None:
            rows = rows.filter(pk__in=chunk)
        values = rows.values(
            "pk", "title", "description", "language", "translations", "funding_source_id",
            "budget_min", "budget_max", "strategy__community__country",
            "strategy__community__population", "strategy__network__country", "updated_at",
        )  # fmt: skip
        for row in values.iterator(chunk_size=2000):
            # A network's need (a national taskforce's) is of the network's country.
            country = row["strategy__community__country"] or row["strategy__network__country"]
            funding = row["funding_source_id"]
            profiles.append(
                Profile(
                    pk=row["pk"],
                    themes=frozenset(themes[row["pk"]]),
                    **_tokens(row, Need.translatable_fields, words),
                    text_languages=frozenset([row["language"], *(row["translations"] or {})]),
                    countries=frozenset([country] if country else []),
                    size_band=size_band(row["strategy__community__population"]),
                    funding=frozenset([funding] if funding else []),
                    money_min=row["budget_min"],
                    money_max=row["budget_max"],
                    updated_at=row["updated_at"],
                )
            )
    return profiles


@dataclass
class Indexes:
    state: tuple[Any, ...]
    solutions: Index
    needs: Index
    themes: dict[int, Theme]
    funding: dict[int, FundingSource]
    words: dict[str, frozenset[int]] = field(default_factory=dict)
    frequencies: Frequencies = field(default_factory=Frequencies)
    # When the database was read: rows changed since (less `SINCE_MARGIN`) are read again.
    read_at: datetime.datetime | None = None


_lock = threading.Lock()
_kept: Indexes | None = None
# A write committed this long after its `updated_at` was set (a long transaction) is
# still seen by the next update; later than that only by the next whole build.
SINCE_MARGIN = datetime.timedelta(seconds=60)
_TABLES = (Solution, ReferenceInstallation, Need, Community, Theme)


def _state() -> tuple[Any, ...]:
    """The version and time of the last write of every table the index reads: one indexed
    read of a few rows."""
    return tables_state(_TABLES)


def indexes_build() -> Indexes:
    read_at = timezone.now()
    words = theme_words(_labels())
    solutions = solution_profiles(words)
    needs = need_profiles(words)
    frequencies = Frequencies([*solutions, *needs])
    idf = frequencies.idf()
    return Indexes(
        state=(),
        solutions=Index(solutions, idf),
        needs=Index(needs, idf),
        themes=Theme.objects.in_bulk(),
        funding=FundingSource.objects.in_bulk(),
        words=words,
        frequencies=frequencies,
        read_at=read_at,
    )


def _changed_tables(before: tuple[Any, ...], after: tuple[Any, ...]) -> set[str] | None:
    """The tables written since `before`; None if one went back (a rolled-back write, as
    between tests), after which nothing the index holds can be trusted."""
    old = {name: (version, at) for name, version, at in before}
    new = {name: (version, at) for name, version, at in after}
    if any(name in new and new[name][0] < old[name][0] for name in old):
        return None
    return {name for name in old.keys() | new.keys() if old.get(name) != new.get(name)}


def _side_update(
    index: Index,
    *,
    published: QuerySet[Any],
    recent: Iterable[tuple[int, datetime.datetime]],
    also: set[int],
    profiles: Callable[[list[int]], list[Profile]],
) -> tuple[list[Profile], set[int]]:
    """What changed on one side: fresh profiles of the rows changed lately (`recent`:
    (id, updated_at) pairs) or named in `also`, and the ids to take out. The published
    rows are then counted, and listed only if the count differs from what the index will
    hold (a row deleted, or published without a change of `updated_at`)."""
    stale = also | {
        pk
        for pk, updated in recent
        if pk not in index.by_pk or index.by_pk[pk].updated_at != updated
    }
    fresh = profiles(sorted(stale))
    fresh_ids = {p.pk for p in fresh}
    gone = (stale - fresh_ids) & index.by_pk.keys()
    expected = (index.by_pk.keys() - gone) | fresh_ids
    if published.count() != len(expected):
        ids = set(published.values_list("pk", flat=True))
        gone |= expected - ids
        fresh += profiles(sorted(ids - expected))
    return fresh, gone


def indexes_update(kept: Indexes, tables: set[str] | None) -> Indexes:
    """The kept indexes with the solutions and needs changed since they were read put in
    again, the rest kept: reads proportional to what changed (plus a count per side). A
    change of the themes (the words that bridge languages) builds everything again."""
    if tables is None or Theme._meta.db_table in tables or kept.read_at is None:
        return indexes_build()
    read_at = timezone.now()
    since = kept.read_at - SINCE_MARGIN
    words, solutions, needs = kept.words, kept.solutions, kept.needs
    community_changed = Community._meta.db_table in tables

    fresh_solutions: list[Profile] = []
    gone_solutions: set[int] = set()
    references_changed = ReferenceInstallation._meta.db_table in tables or community_changed
    if tables & set(model_tables(Solution)) or references_changed:
        also = set()
        if references_changed:
            # Reference rows carry no time: their counts per size band are read for every
            # solution (one query) and compared.
            bands = reference_bands()
            also = {
                pk for pk, p in solutions.by_pk.items() if p.reference_bands != bands.get(pk, {})
            }
        fresh_solutions, gone_solutions = _side_update(
            solutions,
            published=Solution.objects.filter(status=Solution.Status.PUBLISHED),
            recent=Solution.objects.filter(updated_at__gte=since).values_list("pk", "updated_at"),
            also=also,
            profiles=lambda ids: solution_profiles(words, ids),
        )
    fresh_needs: list[Profile] = []
    gone_needs: set[int] = set()
    if tables & set(model_tables(Need)) or community_changed:
        also = set()
        if community_changed:
            # A need's profile holds its community's country and size.
            also = set(
                Need.objects.filter(
                    is_published=True, strategy__community__updated_at__gte=since
                ).values_list("pk", flat=True)
            )
        fresh_needs, gone_needs = _side_update(
            needs,
            published=Need.objects.filter(is_published=True),
            recent=Need.objects.filter(updated_at__gte=since).values_list("pk", "updated_at"),
            also=also,
            profiles=lambda ids: need_profiles(words, ids),
        )

    before = [
        index.by_pk[pk]
        for index, ids in (
            (solutions, gone_solutions | {p.pk for p in fresh_solutions}),
            (needs, gone_needs | {p.pk for p in fresh_needs}),
        )
        for pk in ids
        if pk in index.by_pk
    ]
    idf = kept.frequencies.idf_changed(solutions.idf, before, [*fresh_solutions, *fresh_needs])
    return Indexes(
        state=(),
        solutions=solutions.updated(changed=fresh_solutions, removed=gone_solutions, idf=idf),
        needs=needs.updated(changed=fresh_needs, removed=gone_needs, idf=idf),
        themes=kept.themes,
        funding=FundingSource.objects.in_bulk(),
        words=words,
        frequencies=kept.frequencies,
        read_at=read_at,
    )


def indexes() -> Indexes:
    """The kept indexes, brought up to date when a solution, need, reference, community
    or theme changed (`indexes_update`: only the changed profiles are read again)."""
    global _kept
    state = _state()
    with _lock:
        if _kept is None:
            built = indexes_build()
        elif _kept.state != state:
            built = indexes_update(_kept, _changed_tables(_kept.state, state))
        else:
            return _kept
        built.state = state
        _kept = built
        return _kept


def profile_of_need(need: Need, built: Indexes) -> Profile:
    kept = built.needs.by_pk.get(need.pk)
    if kept is not None:
        return kept
    community = need.strategy.community
    # A need is of a community's strategy or of a network's.
    owner = cast(Community | Network, community or need.strategy.network)
    country = cast(Country, owner.country).code
    return Profile(
        pk=need.pk,
        themes=frozenset(t.pk for t in need.themes.all()),
        **_tokens(vars(need), Need.translatable_fields, built.words),
        text_languages=frozenset([need.language, *(need.translations or {})]),
        countries=frozenset([country] if country else []),
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
        # References count only for a need whose place has a size band.
        band = cast(str, need.size_band)
        count = solution.reference_bands[band]
        label = SIZE_BANDS[band][0]
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
