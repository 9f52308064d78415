"""Reads of solutions: the public list with its filters, and the scoped lookups of the
providers who edit them and the coordinators who review them."""

from collections.abc import Iterator
from typing import Any

from django import forms
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from villagehub.accounts.selectors import networks_coordinated
from villagehub.contributions.selectors import organisations_edited_by
from villagehub.core.filters import PlaceFilterForm
from villagehub.core.models import CONTENT_LANGUAGES
from villagehub.core.types import AnyUser, User
from villagehub.search.analysis import query_groups
from villagehub.search.synonyms import themes_named

from .models import ReferenceInstallation, Solution, codes_q

TRL_CHOICES = [("", "")] + [(str(n), str(n)) for n in range(1, 10)]


class SolutionFilterForm(PlaceFilterForm):
    trl = forms.TypedChoiceField(
        label=_("Technology readiness at least"),
        required=False,
        choices=TRL_CHOICES,
        coerce=int,
        empty_value=None,
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", ""), *CONTENT_LANGUAGES]
    )


def solutions_published() -> QuerySet[Solution]:
    return Solution.objects.filter(status=Solution.Status.PUBLISHED)


def text_q(query: str, *, field: str = "search_terms", themes_field: str = "themes") -> Q:
    """Every word of the query in the record's text, or naming (in any interface language) a
    theme the record carries."""
    groups = query_groups(query)
    condition = Q()
    for group, (theme_ids, _words) in zip(groups, themes_named(groups), strict=True):
        word = Q()
        for form in group:
            word |= Q(**{f"{field}__contains": f" {form} "})
        if theme_ids:
            word |= Q(**{f"{themes_field}__in": theme_ids})
        condition &= word
    return condition


def solution_list(*, filters: dict[str, Any]) -> QuerySet[Solution]:
    solutions = solutions_published()
    if filters.get("q"):
        solutions = solutions.filter(pk__in=Solution.objects.filter(text_q(filters["q"])))
    if filters.get("theme"):
        solutions = solutions.filter(themes__slug=filters["theme"])
    if filters.get("trl"):
        solutions = solutions.filter(trl__gte=filters["trl"])
    if filters.get("country"):
        solutions = solutions.filter(codes_q("countries", filters["country"].upper()))
    if filters.get("language"):
        solutions = solutions.filter(codes_q("languages", filters["language"]))
    return solutions.select_related("provider").prefetch_related("themes")


def solution_get_published(*, slug: str) -> Solution:
    solution = (
        solutions_published()
        .select_related("provider")
        .prefetch_related(
            "themes",
            "funding_sources",
            Prefetch(
                "references",
                queryset=ReferenceInstallation.objects.select_related("community"),
            ),
        )
        .filter(slug=slug)
        .first()
    )
    if solution is None:
        raise Http404
    return solution


def solutions_edited_by(user: User) -> QuerySet[Solution]:
    return Solution.objects.filter(provider__in=organisations_edited_by(user))


def solution_get_for_editor(*, slug: str, user: User) -> Solution:
    solution = solutions_edited_by(user).select_related("provider").filter(slug=slug).first()
    if solution is None:
        raise Http404
    return solution


def reviews_solutions(user: AnyUser) -> bool:
    """Solutions belong to no network: any network's coordinators review them, and the
    back office."""
    if not user.is_authenticated:
        return False
    return user.has_perm("solutions.change_solution") or networks_coordinated(user).exists()


def solutions_for_review(user: User) -> QuerySet[Solution]:
    if not reviews_solutions(user):
        return Solution.objects.none()
    return Solution.objects.filter(status=Solution.Status.SUBMITTED).select_related("provider")


def solution_get_for_reviewer(*, slug: str, user: User) -> Solution:
    solution = (
        solutions_for_review(user)
        .prefetch_related("themes", "funding_sources", "references__community")
        .filter(slug=slug)
        .first()
    )
    if solution is None:
        raise Http404
    return solution


SOLUTION_COLUMNS = (
    "slug", "name", "summary", "description", "provider", "themes", "funding_sources", "trl",
    "price_min", "price_max", "price_model", "languages", "countries", "language",
    "translations", "published_at", "updated_at",
)  # fmt: skip
REFERENCE_COLUMNS = ("solution", "community", "year", "achieved", "contact")


def solution_rows() -> Iterator[dict[str, Any]]:
    """Every published solution as plain values (the bulk downloads), read in chunks."""
    solutions = (
        solutions_published()
        .select_related("provider")
        .prefetch_related("themes", "funding_sources")
        .order_by("pk")
    )
    for s in solutions.iterator(chunk_size=2000):
        yield {
            "slug": s.slug,
            "name": s.name,
            "summary": s.summary,
            "description": s.description,
            "provider": s.provider.slug,
            "themes": [t.slug for t in s.themes.all()],
            "funding_sources": [f.slug for f in s.funding_sources.all()],
            "trl": s.trl,
            "price_min": s.price_min,
            "price_max": s.price_max,
            "price_model": s.price_model,
            "languages": s.language_list,
            "countries": s.country_list,
            "language": s.language,
            "translations": s.translations,
            "published_at": s.published_at.isoformat() if s.published_at else None,
            "updated_at": s.updated_at.isoformat(),
        }


def reference_rows() -> Iterator[dict[str, Any]]:
    """The reference installations of published solutions; a contact is named only when
    they agreed (the database refuses a name without consent; checked again here)."""
    references = (
        ReferenceInstallation.objects.filter(solution__in=solutions_published())
        .select_related("solution", "community")
        .order_by("solution__slug", "year", "pk")
    )
    for r in references.iterator(chunk_size=2000):
        yield {
            "solution": r.solution.slug,
            "community": r.community.slug,
            "year": r.year,
            "achieved": r.achieved,
            "contact": r.contact_name if r.contact_consent else "",
        }
