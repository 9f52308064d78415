from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from villagehub.core.services import model_save
from villagehub.search.services import search_document_update

from .models import CapSupport, Factsheet


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
    *, country: str, cap_support: Iterable[Mapping[str, Any]] | None = None, **fields: Any
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
def factsheet_update(*, factsheet: Factsheet, **fields: Any) -> Factsheet:
    model_save(factsheet, fields)
    search_document_update(obj=factsheet)
    return factsheet
