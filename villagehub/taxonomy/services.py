from typing import Any

from django.db import transaction

from villagehub.core.services import model_save

from .models import FundingSource, Theme


@transaction.atomic
def theme_update(*, theme: Theme, **fields: Any) -> Theme:
    return model_save(theme, fields)


@transaction.atomic
def theme_upsert(*, slug: str, **fields: Any) -> Theme:
    theme = Theme.objects.select_for_update().filter(slug=slug).first() or Theme(slug=slug)
    return model_save(theme, fields)


@transaction.atomic
def funding_source_update(*, funding_source: FundingSource, **fields: Any) -> FundingSource:
    return model_save(funding_source, fields)
