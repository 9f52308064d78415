from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from villagehub.communities.models import SIZE_BANDS, size_band_q
from villagehub.core.filters import PlaceFilterForm
from villagehub.search.interface import (
    Row,
    SearchQuery,
    SearchResults,
    search_facets,
    search_record_ids,
)
from villagehub.taxonomy.models import GOAL_TITLES, Theme

from .models import Practice

SORTS = {"relevance": _("Relevance"), "newest": _("Newest first")}


class PracticeFilterForm(PlaceFilterForm):
    sdg = forms.TypedChoiceField(
        label=_("Agenda 2030 goal"),
        required=False,
        coerce=int,
        choices=[(n, n) for n in GOAL_TITLES],
    )
    size = forms.ChoiceField(
        label=_("Community size"),
        required=False,
        choices=[(k, label) for k, (label, _low, _high) in SIZE_BANDS.items()],
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORTS.items())


def practice_list_base() -> QuerySet[Practice]:
    # Exactly the condition of the partial index `practice_published_newest`, so that the
    # newest-first list (page, API, cursor) is read off that index on SQLite and PostgreSQL.
    return Practice.objects.filter(is_published=True).select_related("community")


def _apply(qs: QuerySet[Practice], filters: dict[str, Any], skip: str = "") -> QuerySet[Practice]:
    if filters.get("q") and skip != "q":
        qs = qs.filter(pk__in=search_record_ids(SearchQuery(text=filters["q"], kind="practice")))
    if filters.get("country") and skip != "country":
        qs = qs.filter(community__country=filters["country"].upper())
    if filters.get("theme") and skip != "theme":
        qs = qs.filter(
            pk__in=Practice.themes.through.objects.filter(theme__slug=filters["theme"]).values(
                "practice_id"
            )
        )
    if filters.get("sdg") and skip != "sdg":
        qs = qs.filter(
            pk__in=Practice.goals.through.objects.filter(goal_id=filters["sdg"]).values(
                "practice_id"
            )
        )
    if filters.get("size") and skip != "size":
        qs = qs.filter(size_band_q(filters["size"], prefix="community__"))
    return qs


def practice_sort(filters: dict[str, Any]) -> str:
    """Best match first when searching for words (unless asked otherwise), else newest first."""
    if filters.get("q") and filters.get("sort", "relevance") == "relevance":
        return "relevance"
    return "newest"


# What a practice's card shows (includes/practice_card.html): not the long story fields.
CARD_FIELDS = (
    *("slug", "title", "summary", "language", "translations"),
    *("image", "image_alt", "image_variants", "community__name", "community__country"),
)


def _practices_in_order(rows: list[Row]) -> list[Practice]:
    # Only the list page reads these, and its cards show no themes: no prefetching.
    ids = [row.record_id for row in rows]
    found = practice_list_base().filter(pk__in=ids).only(*CARD_FIELDS).in_bulk()
    return [found[i] for i in ids if i in found]


def practice_list(*, filters: dict[str, Any]) -> QuerySet[Practice] | Sequence[Practice]:
    """The practices to list, paginated by the caller.

    With words to search for and the relevance order, the search index answers alone: it
    counts the matches (or `practice_facets` does, given this list) and scores one page at
    a time.
    """
    if practice_sort(filters) == "relevance":
        return SearchResults(
            SearchQuery.of(filters["q"], filters, kind="practice", within_kind=True),
            fetch=_practices_in_order,
        )
    return practice_list_newest(filters=filters)


def practice_list_newest(*, filters: dict[str, Any]) -> QuerySet[Practice]:
    """The practices to list, newest first, whether or not they are searched for words."""
    return (
        _apply(practice_list_base(), filters)
        .select_related("community")
        .prefetch_related("themes")
        .order_by("-created_at", "-pk")
    )


def practice_facets(
    *, filters: dict[str, Any], listed: QuerySet[Practice] | Sequence[Practice] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Counts per filter value, each facet counted under all the other active filters.

    The search documents count them (every published practice has one), with the number
    of practices under all the filters (`total`): with words to search for, their matches;
    otherwise all of them (counting through the records took seconds at 300,000). When
    `listed` (from `practice_list`) is the same search, its match is counted: the words are
    looked up once.
    """
    query = SearchQuery.of(filters.get("q") or "", filters, kind="practice", within_kind=True)
    if isinstance(listed, SearchResults) and listed.query == query:
        facets = listed.facets()
    else:
        facets = search_facets(query)
    del facets["kind"]
    return _every_goal_and_band(facets)


def _every_goal_and_band(facets: dict[str, Any]) -> dict[str, Any]:
    """Goals and size bands are the hub's fixed vocabularies: each is offered with its count,
    none too, so that the filters read the same before and after practices carry them."""
    goals = {f["value"]: f["count"] for f in facets["sdg"]}
    bands = {f["value"]: f["count"] for f in facets["size"]}
    facets["sdg"] = [
        {"value": n, "label": title, "count": goals.get(n, 0)} for n, title in GOAL_TITLES.items()
    ]
    facets["size"] = [
        {"value": band, "label": label, "count": bands.get(band, 0)}
        for band, (label, _low, _high) in SIZE_BANDS.items()
    ]
    return facets


def practice_facets_from_records(*, filters: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    themes = {t.slug: t for t in Theme.objects.all()}
    facets: dict[str, list[dict[str, Any]]] = {}

    country_rows = (
        _apply(practice_list_base(), filters, skip="country")
        .exclude(community__isnull=True)
        .values("community__country")
        .annotate(n=Count("pk", distinct=True))
        .order_by("community__country")
    )
    facets["country"] = sorted(
        (
            {
                "value": r["community__country"].lower(),
                "label": countries.name(r["community__country"]),
                "count": r["n"],
            }
            for r in country_rows
        ),
        key=lambda f: str(f["label"]),
    )

    theme_rows = (
        _apply(practice_list_base(), filters, skip="theme")
        .filter(themes__isnull=False)
        .values("themes__slug")
        .annotate(n=Count("pk", distinct=True))
    )
    counts = {r["themes__slug"]: r["n"] for r in theme_rows}
    facets["theme"] = [
        {"value": slug, "theme": theme, "count": counts[slug]}
        for slug, theme in themes.items()
        if slug in counts
    ]

    goal_rows = (
        _apply(practice_list_base(), filters, skip="sdg")
        .filter(goals__isnull=False)
        .values("goals__number")
        .annotate(n=Count("pk", distinct=True))
        .order_by("goals__number")
    )
    facets["sdg"] = [
        {"value": r["goals__number"], "label": GOAL_TITLES[r["goals__number"]], "count": r["n"]}
        for r in goal_rows
    ]

    base = _apply(practice_list_base(), filters, skip="size")
    aggregates = base.aggregate(
        **{
            band.replace("-", "_"): Count(
                "pk", filter=size_band_q(band, "community__"), distinct=True
            )
            for band in SIZE_BANDS
        }
    )
    facets["size"] = [
        {"value": band, "label": label, "count": aggregates[band.replace("-", "_")]}
        for band, (label, _low, _high) in SIZE_BANDS.items()
        if aggregates[band.replace("-", "_")]
    ]
    return _every_goal_and_band(facets)


def practices_related(*, practice: Practice, limit: int = 4) -> list[Practice]:
    """Other communities' published practices on the same themes: those sharing the most
    themes first, then those of communities of the same size band, then the newest (the
    community's own are `practices_of_community`)."""
    theme_ids = [theme.pk for theme in practice.themes.all()]
    if not theme_ids:
        return []
    others = practice_list_base().exclude(pk=practice.pk)
    community = practice.community
    band = community.size_band if community is not None else None
    if practice.community_id is not None:
        others = others.exclude(community_id=practice.community_id)
    similar = (
        Case(When(size_band_q(band, prefix="community__"), then=1), default=0) if band else Value(0)
    )
    return list(
        others.annotate(
            shared=Count("themes", filter=Q(themes__in=theme_ids), distinct=True),
            similar=similar,
        )
        .filter(shared__gt=0)
        .order_by("-shared", "-similar", "-created_at", "-pk")[:limit]
    )


def practices_of_community(*, practice: Practice, limit: int = 4) -> list[Practice]:
    """The community's other published practices, newest first."""
    if practice.community_id is None:
        return []
    return list(
        Practice.objects.filter(is_published=True, community_id=practice.community_id).exclude(
            pk=practice.pk
        )[:limit]
    )
