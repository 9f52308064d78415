from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from villagehub.core.filters import country_choices

from .models import Factsheet


class FactsheetFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    country = forms.ChoiceField(label=_("Country"), required=False, choices=country_choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.data.get("country"):
            # A request's QueryDict (or a plain dict): both copy, and keep every value.
            data = cast(QueryDict, self.data).copy()
            data["country"] = self.data["country"].lower()
            self.data = data


def factsheet_list(*, filters: dict[str, Any]) -> QuerySet[Factsheet]:
    factsheets = Factsheet.objects.prefetch_related("cap_support")
    if filters.get("country"):
        factsheets = factsheets.filter(country=filters["country"].upper())
    return factsheets.order_by("country", "pk")
