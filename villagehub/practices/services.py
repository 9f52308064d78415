from collections.abc import Iterable, Mapping
from typing import Any, Literal, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction

from villagehub.communities.models import Community
from villagehub.core.services import model_save, record_upsert, records_bulk_upsert, unique_slug
from villagehub.core.tasks import image_variants_later
from villagehub.organisations.models import Organisation
from villagehub.search.models import SearchDocument
from villagehub.search.services import search_document_update, search_documents_update
from villagehub.taxonomy.models import FundingSource, Goal, Theme

from .models import Practice, PracticeLink


class PracticeFields(TypedDict, total=False):
    """What `practice_create`, `practice_update` and `practice_upsert` may set, beside the
    links; a field left out keeps its value (or the model's default)."""

    title: str
    community: Community | None
    summary: str
    description: str
    challenge: str
    approach: str
    involved: str
    results: str
    lessons: str
    budget_range: str
    volunteers: int | None
    contact_role: str
    contact_email: str
    contact_consent: bool
    start_year: int | None
    end_year: int | None
    status: str
    # An upload, a stored name, or False when a form clears it.
    image: File[bytes] | str | Literal[False]
    image_alt: str
    is_published: bool
    language: str
    translations: dict[str, dict[str, str]]
    source: str
    organisations: Iterable[Organisation]
    themes: Iterable[Theme]
    goals: Iterable[Goal]
    funding_sources: Iterable[FundingSource]


class PracticeChanges(PracticeFields, total=False):
    """What `practice_update` may change: the fields and the slug (the back office edits it)."""

    slug: str


def _links_set(practice: Practice, links: Iterable[Mapping[str, Any]]) -> None:
    practice.links.all().delete()
    for position, link in enumerate(links):
        model_save(PracticeLink(practice=practice, position=position), dict(link))


@transaction.atomic
def practice_create(
    *,
    slug: str = "",
    links: Iterable[Mapping[str, Any]] | None = None,
    **fields: Unpack[PracticeFields],
) -> Practice:
    title = fields.pop("title", "")
    practice = model_save(
        Practice(slug=slug or unique_slug(Practice, title)), {"title": title, **fields}
    )
    if practice.image:
        image_variants_later(practice)
    if links is not None:
        _links_set(practice, links)
    search_document_update(obj=practice)
    return practice


@transaction.atomic
def practice_update(
    *,
    practice: Practice,
    links: Iterable[Mapping[str, Any]] | None = None,
    **fields: Unpack[PracticeChanges],
) -> Practice:
    replaced = practice.image.name or ""
    model_save(practice, fields)
    if "image" in fields:
        image_variants_later(practice, replaced=replaced)
    if links is not None:
        _links_set(practice, links)
    search_document_update(obj=practice)
    return practice


@transaction.atomic
def practice_upsert(
    *,
    slug: str,
    links: Iterable[Mapping[str, Any]] | None = None,
    **fields: Unpack[PracticeFields],
) -> Practice:
    return record_upsert(
        Practice,
        slug=slug,
        create=lambda **values: practice_create(links=links, **values),
        update=lambda practice, values: practice_update(practice=practice, links=links, **values),
        fields=fields,
    )


@transaction.atomic
def practice_bulk_upsert(*, records: list[dict[str, Any]]) -> dict[int, ValidationError]:
    """Upsert many practices by slug at once (imports), validated and indexed like
    `practice_upsert`. Records may only give an empty list of links (which removes those
    stored); callers send the others through `practice_upsert`.

    Returns the validation error of each record that was not written, by position.
    """
    clearing = {r["slug"] for r in records if "links" in r}
    if any(r["links"] for r in records if "links" in r):
        raise ValueError("links go through practice_upsert")
    records = [{k: v for k, v in r.items() if k != "links"} for r in records]
    created, updated, errors = records_bulk_upsert(
        Practice, key="slug", records=records, defaults={}
    )
    PracticeLink.objects.filter(practice__in=[p for p in updated if p.slug in clearing]).delete()
    search_documents_update(
        kind=SearchDocument.Kind.PRACTICE, ids=[p.pk for p in created + updated]
    )
    return errors
