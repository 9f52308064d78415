from typing import Any

from django.db import transaction

from villagehub.core.services import model_save, unique_slug
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
    organisation = Organisation.objects.select_for_update().filter(slug=slug).first()
    if organisation is None:
        return organisation_create(slug=slug, **fields)
    return organisation_update(organisation=organisation, **fields)
