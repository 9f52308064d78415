from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from villagehub.core.forms import StoredTextForm

from .models import INDICATOR_CHOICES


class IndicatorValueForm(StoredTextForm):
    """A value for a year, or for a period between two dates."""

    indicator = forms.ChoiceField(label=_("Indicator"), choices=INDICATOR_CHOICES)
    year = forms.IntegerField(
        label=_("Year"),
        min_value=1990,
        max_value=2100,
        required=False,
        help_text=_(
            "For a whole calendar year. Leave empty and give the dates for another period."
        ),
    )
    period_start = forms.DateField(
        label=_("Period from"), required=False, widget=forms.DateInput({"type": "date"})
    )
    period_end = forms.DateField(
        label=_("Period to"), required=False, widget=forms.DateInput({"type": "date"})
    )
    value = forms.DecimalField(label=_("Value"), max_digits=16, decimal_places=4)
    source = forms.CharField(
        label=_("Source"),
        max_length=500,
        help_text=_("Where the value comes from: a statistics office, a survey, a link."),
    )

    def clean(self):
        data = super().clean()
        year, start, end = data.get("year"), data.get("period_start"), data.get("period_end")
        if year is not None and (start or end):
            self.add_error("year", _("Give a year or a period, not both."))
        elif year is not None:
            data["period_start"], data["period_end"] = date(year, 1, 1), date(year, 12, 31)
        elif not (start and end):
            if "year" not in self.errors:
                self.add_error("year", _("Give the year, or both dates of the period."))
        elif end < start:
            self.add_error("period_end", _("The period must end after it starts."))
        return data
