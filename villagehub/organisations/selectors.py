from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Organisation


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=Organisation.Kind.choices)


def organisation_list(*, filters: dict[str, Any]) -> QuerySet[Organisation]:
    organisations = Organisation.objects.all()
    if filters.get("q"):
        organisations = organisations.filter(name__icontains=filters["q"])
    if filters.get("kind"):
        organisations = organisations.filter(kind=filters["kind"])
    return organisations.order_by("name", "pk")
