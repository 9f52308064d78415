import datetime
from collections.abc import Iterable, Mapping
from typing import Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from villagehub.core.services import model_save
from villagehub.search.services import search_document_update

from .models import CapSupport, Factsheet


class FactsheetFields(TypedDict, total=False):
    """What `factsheet_upsert` and `factsheet_update` may set (the country names the
    factsheet); a field left out keeps its value (or the model's default)."""

    definition: str
    digital_key_feature: str
    digital_text: str
    social_innovation_key_feature: str
    social_innovation_text: str
    managing_authority: str
    cap_network_support: str
    activity_networking: bool
    activity_training: bool
    activity_events: bool
    activity_webpage: bool
    activity_good_practices: bool
    activity_news: bool
    other_policies: str
    taskforce: bool | None
    taskforce_text: str
    last_updated: datetime.date | str | None
    language: str
    translations: dict[str, dict[str, str]]
    source: str


class FactsheetChanges(FactsheetFields, total=False):
    """What `factsheet_update` may change: the fields and the country (the back office edits it)."""

    country: str


def _cap_support_set(factsheet: Factsheet, rows: Iterable[Mapping[str, Any]]) -> None:
    seen = set()
    for row in rows:
        period = row.get("period")
        if period in seen:
            raise ValidationError(
                {"cap_support": _("The period %(period)s is given twice.") % {"period": period}}
            )
        seen.add(period)
        support = CapSupport.objects.filter(factsheet=factsheet, period=period).first()
        model_save(support or CapSupport(factsheet=factsheet), dict(row))
    factsheet.cap_support.exclude(period__in=seen).delete()


@transaction.atomic
def factsheet_upsert(
    *,
    country: str,
    cap_support: Iterable[Mapping[str, Any]] | None = None,
    **fields: Unpack[FactsheetFields],
) -> Factsheet:
    """Create or update the factsheet of one country (ISO 3166-1 alpha-2 code)."""
    code = (country or "").upper()
    factsheet = Factsheet.objects.select_for_update().filter(country=code).first()
    factsheet = model_save(factsheet or Factsheet(), {"country": code, **fields})
    if cap_support is not None:
        _cap_support_set(factsheet, cap_support)
    search_document_update(obj=factsheet)
    return factsheet


@transaction.atomic
def factsheet_update(*, factsheet: Factsheet, **fields: Unpack[FactsheetChanges]) -> Factsheet:
    model_save(factsheet, fields)
    search_document_update(obj=factsheet)
    return factsheet
