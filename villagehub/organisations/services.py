from typing import Any

from django.db import transaction

from villagehub.core.services import model_save, record_upsert, unique_slug
from villagehub.search.services import search_document_update

from .models import Organisation


@transaction.atomic
def organisation_create(*, name: str = "", slug: str = "", **fields: Any) -> Organisation:
    organisation = Organisation(slug=slug or unique_slug(Organisation, name))
    model_save(organisation, {"name": name, **fields})
    search_document_update(obj=organisation)
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, **fields: Any) -> Organisation:
    model_save(organisation, fields)
    search_document_update(obj=organisation)
    return organisation


@transaction.atomic
def organisation_upsert(*, slug: str, **fields: Any) -> Organisation:
    return record_upsert(
        Organisation,
        slug=slug,
        create=organisation_create,
        update=lambda organisation, values: organisation_update(
            organisation=organisation, **values
        ),
        fields=fields,
    )
