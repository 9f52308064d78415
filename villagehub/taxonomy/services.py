from typing import TypedDict, Unpack

from django.db import transaction

from villagehub.core.services import model_save

from .models import FundingSource, Theme


class ThemeFields(TypedDict, total=False):
    """What `theme_update` and `theme_upsert` may set; a field left out keeps its value."""

    name: str
    description: str
    position: int
    language: str
    translations: dict[str, dict[str, str]]


class ThemeChanges(ThemeFields, total=False):
    """What `theme_update` may change: the fields and the slug (the back office edits it)."""

    slug: str


class FundingSourceFields(TypedDict, total=False):
    """What `funding_source_update` may set; a field left out keeps its value."""

    name: str
    position: int
    language: str
    translations: dict[str, dict[str, str]]


class FundingSourceChanges(FundingSourceFields, total=False):
    """What `funding_source_update` may change: the fields and the slug (the back office
    edits it)."""

    slug: str


@transaction.atomic
def theme_update(*, theme: Theme, **fields: Unpack[ThemeChanges]) -> Theme:
    return model_save(theme, fields)


@transaction.atomic
def theme_upsert(*, slug: str, **fields: Unpack[ThemeFields]) -> Theme:
    theme = Theme.objects.select_for_update().filter(slug=slug).first() or Theme(slug=slug)
    return model_save(theme, fields)


@transaction.atomic
def funding_source_update(
    *, funding_source: FundingSource, **fields: Unpack[FundingSourceChanges]
) -> FundingSource:
    return model_save(funding_source, fields)
