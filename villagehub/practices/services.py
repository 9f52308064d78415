from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from villagehub.core.services import model_save, record_upsert, records_bulk_upsert, unique_slug
from villagehub.core.tasks import image_variants_later
from villagehub.search.models import SearchDocument
from villagehub.search.services import search_document_update, search_documents_update

from .models import Practice, PracticeLink


def _links_set(practice: Practice, links: Iterable[Mapping[str, Any]]) -> None:
    practice.links.all().delete()
    for position, link in enumerate(links):
        model_save(PracticeLink(practice=practice, position=position), dict(link))


@transaction.atomic
def practice_create(
    *,
    title: str = "",
    slug: str = "",
    links: Iterable[Mapping[str, Any]] | None = None,
    **fields: Any,
) -> Practice:
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
    *, practice: Practice, links: Iterable[Mapping[str, Any]] | None = None, **fields: Any
) -> Practice:
    replaced = practice.image.name if practice.image else ""
    model_save(practice, fields)
    if "image" in fields:
        image_variants_later(practice, replaced=replaced)
    if links is not None:
        _links_set(practice, links)
    search_document_update(obj=practice)
    return practice


@transaction.atomic
def practice_upsert(*, slug: str, **fields: Any) -> Practice:
    return record_upsert(
        Practice,
        slug=slug,
        create=practice_create,
        update=lambda practice, values: practice_update(practice=practice, **values),
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
