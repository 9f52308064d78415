from typing import Any

from django.db import transaction

from villagehub.core.services import model_save, unique_slug

from .models import Organisation


@transaction.atomic
def organisation_create(*, name: str = "", slug: str = "", **fields: Any) -> Organisation:
    organisation = Organisation(slug=slug or unique_slug(Organisation, name))
    return model_save(organisation, {"name": name, **fields})


@transaction.atomic
def organisation_update(*, organisation: Organisation, **fields: Any) -> Organisation:
    return model_save(organisation, fields)


@transaction.atomic
def organisation_upsert(*, slug: str, **fields: Any) -> Organisation:
    organisation = Organisation.objects.select_for_update().filter(slug=slug).first()
    if organisation is None:
        return organisation_create(slug=slug, **fields)
    return organisation_update(organisation=organisation, **fields)
