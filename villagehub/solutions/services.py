"""The one write path of solutions: create, edit, review, reference installations."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from villagehub.communities.models import Community
from villagehub.core.models import TranslatableContent
from villagehub.core.services import model_save, unique_slug
from villagehub.core.types import User
from villagehub.notices.models import Kind as NoticeKind
from villagehub.notices.selectors import all_coordinators, editors_of, path_for
from villagehub.notices.services import notices_send
from villagehub.organisations.models import Organisation
from villagehub.search.analysis import terms
from villagehub.taxonomy.models import FundingSource, Theme

from .models import ReferenceInstallation, Solution


def text_terms(obj: TranslatableContent, fields: Iterable[str]) -> str:
    """The stemmed words of a record's text fields and their translations, as " a b c "."""
    parts = [terms(getattr(obj, f) or "", obj.language) for f in fields]
    for language, values in (obj.translations or {}).items():
        parts.extend(terms(values.get(f) or "", language) for f in fields)
    return " " + " ".join(p for p in parts if p) + " "


def _codes(text: str, *, upper: bool) -> str:
    codes = text.replace(",", " ").split()
    return " ".join(dict.fromkeys(c.upper() if upper else c.lower() for c in codes))


def _solution_save(
    solution: Solution,
    *,
    name: str,
    summary: str,
    trl: int,
    language: str,
    description: str,
    themes: Iterable[Theme],
    funding_sources: Iterable[FundingSource],
    price_min: int | None,
    price_max: int | None,
    price_model: str,
    languages: str,
    countries: str,
    translations: dict[str, Any] | None,
) -> Solution:
    model_save(
        solution,
        {
            "name": name,
            "summary": summary,
            "trl": trl,
            "language": language,
            "description": description,
            "price_min": price_min,
            "price_max": price_max,
            "price_model": price_model,
            "languages": _codes(languages, upper=False),
            "countries": _codes(countries, upper=True),
            "translations": translations or {},
            "themes": list(themes),
            "funding_sources": list(funding_sources),
        },
    )
    solution.search_terms = text_terms(solution, Solution.translatable_fields)
    solution.save(update_fields=["search_terms"])
    return solution


@transaction.atomic
def solution_create(
    *,
    provider: Organisation,
    name: str,
    summary: str,
    trl: int,
    language: str = "en",
    description: str = "",
    themes: Iterable[Theme] = (),
    funding_sources: Iterable[FundingSource] = (),
    price_min: int | None = None,
    price_max: int | None = None,
    price_model: str = "",
    languages: str = "",
    countries: str = "",
    translations: dict[str, Any] | None = None,
    slug: str = "",
    source: str = "",
) -> Solution:
    solution = Solution(provider=provider, slug=slug or unique_slug(Solution, name), source=source)
    return _solution_save(
        solution,
        name=name,
        summary=summary,
        trl=trl,
        language=language,
        description=description,
        themes=themes,
        funding_sources=funding_sources,
        price_min=price_min,
        price_max=price_max,
        price_model=price_model,
        languages=languages,
        countries=countries,
        translations=translations,
    )


@transaction.atomic
def solution_update(
    *,
    solution: Solution,
    name: str,
    summary: str,
    trl: int,
    language: str = "en",
    description: str = "",
    themes: Iterable[Theme] = (),
    funding_sources: Iterable[FundingSource] = (),
    price_min: int | None = None,
    price_max: int | None = None,
    price_model: str = "",
    languages: str = "",
    countries: str = "",
    translations: dict[str, Any] | None = None,
) -> Solution:
    """A provider's edit. An edit of a published solution takes it back to draft: it is
    shown again once a coordinator has reviewed the change."""
    solution = Solution.objects.select_for_update().get(pk=solution.pk)
    if solution.status not in Solution.EDITABLE:
        raise ValidationError({"status": _("A solution waiting for review cannot be edited.")})
    if solution.status == Solution.Status.PUBLISHED:
        solution.status = Solution.Status.DRAFT
    return _solution_save(
        solution,
        name=name,
        summary=summary,
        trl=trl,
        language=language,
        description=description,
        themes=themes,
        funding_sources=funding_sources,
        price_min=price_min,
        price_max=price_max,
        price_model=price_model,
        languages=languages,
        countries=countries,
        translations=translations,
    )


def _transition(solution: Solution, allowed: tuple[str, ...], message: str) -> Solution:
    locked = Solution.objects.select_for_update().get(pk=solution.pk)
    if locked.status not in allowed:
        raise ValidationError({"status": message})
    return locked


@transaction.atomic
def solution_submit(*, solution: Solution) -> Solution:
    solution = _transition(
        solution,
        (Solution.Status.DRAFT, Solution.Status.RETURNED),
        _("Only a draft or a returned solution can be sent for review."),
    )
    solution.status = Solution.Status.SUBMITTED
    solution.save(update_fields=["status", "updated_at"])
    notices_send(
        users=all_coordinators(),
        kind=NoticeKind.SOLUTION,
        subject=str(solution),
        path=path_for("solutions:review", solution.slug),
    )
    return solution


def _tell_provider(solution: Solution, kind: str, viewname: str) -> None:
    notices_send(
        users=editors_of(organisation=solution.provider_id),
        kind=kind,
        subject=str(solution),
        path=path_for(viewname, solution.slug),
    )


@transaction.atomic
def solution_publish(*, solution: Solution, by: User | None) -> Solution:
    solution = _transition(
        solution, (Solution.Status.SUBMITTED,), _("Only a submitted solution can be published.")
    )
    solution.status = Solution.Status.PUBLISHED
    solution.published_at = timezone.now()
    solution.reviewed_by = by
    solution.review_comment = ""
    solution.save(
        update_fields=["status", "published_at", "reviewed_by", "review_comment", "updated_at"]
    )
    _tell_provider(solution, NoticeKind.PUBLISHED, "solutions:detail")
    return solution


@transaction.atomic
def solution_return(*, solution: Solution, by: User | None, comment: str) -> Solution:
    if not comment.strip():
        raise ValidationError({"comment": _("Say what should change.")})
    solution = _transition(
        solution, (Solution.Status.SUBMITTED,), _("Only a submitted solution can be returned.")
    )
    solution.status = Solution.Status.RETURNED
    solution.review_comment = comment.strip()
    solution.reviewed_by = by
    solution.save(update_fields=["status", "review_comment", "reviewed_by", "updated_at"])
    _tell_provider(solution, NoticeKind.RETURNED, "solutions:edit")
    return solution


@transaction.atomic
def solution_admin_save(*, solution: Solution, fields: dict[str, Any]) -> Solution:
    """The back office's save: any field, status included."""
    model_save(solution, fields)
    if solution.status == Solution.Status.PUBLISHED and solution.published_at is None:
        solution.published_at = timezone.now()
    solution.search_terms = text_terms(solution, Solution.translatable_fields)
    solution.save(update_fields=["search_terms", "published_at"])
    return solution


@transaction.atomic
def reference_installation_add(
    *,
    solution: Solution,
    community: Community,
    year: int,
    achieved: str = "",
    contact_name: str = "",
    contact_consent: bool = False,
) -> ReferenceInstallation:
    reference = ReferenceInstallation(solution=solution)
    return model_save(
        reference,
        {
            "community": community,
            "year": year,
            "achieved": achieved,
            "contact_name": contact_name.strip(),
            "contact_consent": contact_consent,
        },
    )


@transaction.atomic
def reference_installation_delete(*, reference: ReferenceInstallation) -> None:
    reference.delete()


@transaction.atomic
def reference_installation_save(
    *, reference: ReferenceInstallation, fields: dict[str, Any]
) -> ReferenceInstallation:
    """The back office's save of a reference installation."""
    return model_save(reference, fields)
