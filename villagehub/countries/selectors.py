from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from villagehub.core.filters import CountryCaseForm, country_choices

from .models import Factsheet


class FactsheetFilterForm(CountryCaseForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    country = forms.ChoiceField(label=_("Country"), required=False, choices=country_choices)


def factsheet_list(*, filters: dict[str, Any]) -> QuerySet[Factsheet]:
    factsheets = Factsheet.objects.prefetch_related("cap_support")
    if filters.get("country"):
        factsheets = factsheets.filter(country=filters["country"].upper())
    return factsheets.order_by("country", "pk")
