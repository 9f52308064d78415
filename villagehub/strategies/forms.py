from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from villagehub.core.forms import StoredTextForm
from villagehub.core.models import CONTENT_LANGUAGES
from villagehub.indicators.models import INDICATOR_CHOICES
from villagehub.taxonomy.models import FundingSource, Theme

from .models import Action


class StrategyForm(StoredTextForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    language = forms.ChoiceField(label=_("Written in"), choices=CONTENT_LANGUAGES)
    vision = forms.CharField(label=_("Vision"), widget=forms.Textarea, required=False)
    needs_analysis = forms.CharField(
        label=_("Analysis of needs"), widget=forms.Textarea, required=False
    )
    assets_analysis = forms.CharField(
        label=_("Analysis of assets"), widget=forms.Textarea, required=False
    )
    meetings_held = forms.IntegerField(label=_("Meetings held"), min_value=0, initial=0)
    people_involved = forms.IntegerField(label=_("People involved"), min_value=0, initial=0)


class ObjectiveForm(StoredTextForm):
    title = forms.CharField(label=_("Objective"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)


def _funding_field():
    return forms.ModelChoiceField(
        label=_("Funding source"),
        queryset=FundingSource.objects.all(),
        to_field_name="slug",
        required=False,
    )


def _themes_field():
    return forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ActionForm(StoredTextForm):
    title = forms.CharField(label=_("Action"), max_length=200)
    owner = forms.CharField(label=_("Owner"), max_length=200, required=False)
    partners = forms.CharField(label=_("Partners"), max_length=400, required=False)
    budget = forms.IntegerField(label=_("Budget (EUR)"), min_value=0, required=False)
    funding_source = _funding_field()
    starts_on = forms.DateField(
        label=_("Start"), required=False, widget=forms.DateInput({"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("End"), required=False, widget=forms.DateInput({"type": "date"})
    )
    status = forms.ChoiceField(label=_("Status"), choices=Action.Status.choices)
    themes = _themes_field()


class IndicatorForm(StoredTextForm):
    name = forms.CharField(label=_("Indicator"), max_length=200)
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
    baseline = forms.DecimalField(label=_("Baseline"), max_digits=14, decimal_places=2)
    target = forms.DecimalField(label=_("Target"), max_digits=14, decimal_places=2)
    target_year = forms.IntegerField(label=_("Target year"), min_value=2000, max_value=2100)
    hub_indicator = forms.ChoiceField(
        label=_("The same as the hub's indicator"),
        required=False,
        choices=[("", _("None")), *INDICATOR_CHOICES],
        help_text=_(
            "The community's values published in the hub's indicators then count as the "
            "latest value."
        ),
    )


class IndicatorValueForm(StoredTextForm):
    value = forms.DecimalField(label=_("Latest value"), max_digits=14, decimal_places=2)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


class NeedForm(StoredTextForm):
    title = forms.CharField(label=_("What is needed"), max_length=200)
    description = forms.CharField(
        label=_("Short description"), widget=forms.Textarea, max_length=2000
    )
    themes = _themes_field()
    budget_min = forms.IntegerField(label=_("Budget from (EUR)"), min_value=0, required=False)
    budget_max = forms.IntegerField(label=_("Budget up to (EUR)"), min_value=0, required=False)
    funding_source = _funding_field()
    wanted_by = forms.DateField(
        label=_("Wanted by"), required=False, widget=forms.DateInput({"type": "date"})
    )


class NetworkActionsFilterForm(forms.Form):
    """Which actions of a network's communities to list: of a theme, in a status."""

    theme = forms.ChoiceField(label=_("Theme"), required=False, choices=[])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[])

    def __init__(self, *args, themes: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["theme"]).choices = [
            ("", _("All")),
            *themes,
            ("-", _("No theme")),
        ]
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            ("", _("All")),
            *Action.Status.choices,
        ]
