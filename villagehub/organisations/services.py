from typing import Literal, TypedDict, Unpack

from django.core.files import File
from django.db import transaction

from villagehub.core.services import model_save, name_lookalike_refuse, record_upsert, unique_slug
from villagehub.search.services import search_document_update

from .models import Organisation


class OrganisationFields(TypedDict, total=False):
    """What `organisation_create`, `organisation_update` and `organisation_upsert` may set; a
    field left out keeps its value (or the model's default)."""

    name: str
    acronym: str
    kind: str
    country: str
    website: str
    description: str
    # An upload, a stored name, or False when a form clears it.
    logo: File[bytes] | str | Literal[False]
    language: str
    translations: dict[str, dict[str, str]]
    source: str


class OrganisationChanges(OrganisationFields, total=False):
    """What `organisation_update` may change: the fields and the slug (the back office edits it)."""

    slug: str


def organisation_name_check(*, name: str, organisation: Organisation | None = None) -> None:
    """Refuse a name that looks like another organisation's (ValidationError on `name`)."""
    others = Organisation.objects.all()
    if organisation is not None and organisation.pk:
        others = others.exclude(pk=organisation.pk)
    name_lookalike_refuse(records=others, name=name)


@transaction.atomic
def organisation_create(*, slug: str = "", **fields: Unpack[OrganisationFields]) -> Organisation:
    name = fields.pop("name", "")
    organisation_name_check(name=name)
    organisation = Organisation(slug=slug or unique_slug(Organisation, name))
    model_save(organisation, {"name": name, **fields})
    search_document_update(obj=organisation)
    return organisation


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, **fields: Unpack[OrganisationChanges]
) -> Organisation:
    if fields.get("name", organisation.name) != organisation.name:
        organisation_name_check(name=fields["name"], organisation=organisation)
    model_save(organisation, fields)
    search_document_update(obj=organisation)
    return organisation


@transaction.atomic
def organisation_upsert(*, slug: str, **fields: Unpack[OrganisationFields]) -> Organisation:
    return record_upsert(
        Organisation,
        slug=slug,
        create=organisation_create,
        update=lambda organisation, values: organisation_update(
            organisation=organisation, **values
        ),
        fields=fields,
    )
