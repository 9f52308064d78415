from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction

from villagehub.core.services import model_save, record_upsert, unique_slug
from villagehub.search.services import search_document_update

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
    if links is not None:
        _links_set(practice, links)
    search_document_update(obj=practice)
    return practice


@transaction.atomic
def practice_update(
    *, practice: Practice, links: Iterable[Mapping[str, Any]] | None = None, **fields: Any
) -> Practice:
    model_save(practice, fields)
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
