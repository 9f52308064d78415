from django import forms
from django.utils.translation import gettext_lazy as _

from villagehub.communities.models import Community
from villagehub.core.forms import StoredTextForm
from villagehub.core.models import CONTENT_LANGUAGES
from villagehub.taxonomy.models import FundingSource, Theme

from .models import Solution


class SolutionForm(StoredTextForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    summary = forms.CharField(label=_("What it does"), max_length=300)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    language = forms.ChoiceField(label=_("Written in"), choices=CONTENT_LANGUAGES, initial="en")
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    trl = forms.TypedChoiceField(
        label=_("Technology readiness level (1–9)"),
        choices=[(n, str(n)) for n in range(1, 10)],
        coerce=int,
    )
    price_min = forms.IntegerField(label=_("Lowest price (EUR)"), min_value=0, required=False)
    price_max = forms.IntegerField(label=_("Highest price (EUR)"), min_value=0, required=False)
    price_model = forms.ChoiceField(
        label=_("Price model"), choices=[("", "—"), *Solution.PriceModel.choices], required=False
    )
    languages = forms.CharField(
        label=_("Languages"),
        max_length=200,
        required=False,
        help_text=_("Language codes separated by spaces, e.g. “en lv sv”."),
    )
    countries = forms.CharField(
        label=_("Countries served"),
        max_length=800,
        required=False,
        help_text=_("Country codes separated by spaces, e.g. “LV SE”."),
    )
    funding_sources = forms.ModelMultipleChoiceField(
        label=_("Funding it qualifies for"),
        queryset=FundingSource.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def solution_initial(solution: Solution) -> dict:
    return {
        "name": solution.name,
        "summary": solution.summary,
        "description": solution.description,
        "language": solution.language,
        "themes": list(solution.themes.all()),
        "trl": solution.trl,
        "price_min": solution.price_min,
        "price_max": solution.price_max,
        "price_model": solution.price_model,
        "languages": solution.languages,
        "countries": solution.countries,
        "funding_sources": list(solution.funding_sources.all()),
    }


class ReferenceForm(StoredTextForm):
    community = forms.SlugField(
        label=_("Community"),
        help_text=_("The community's short name in its address, e.g. “torup”."),
    )
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    achieved = forms.CharField(label=_("What was achieved"), widget=forms.Textarea, required=False)
    contact_name = forms.CharField(label=_("Contact"), max_length=200, required=False)
    contact_consent = forms.BooleanField(
        label=_("The contact agreed to be named on the hub"), required=False
    )

    def clean_community(self):
        community = Community.objects.filter(slug=self.cleaned_data["community"]).first()
        if community is None:
            raise forms.ValidationError(_("There is no community with this short name."))
        return community


class ReturnForm(StoredTextForm):
    comment = forms.CharField(label=_("What should change"), widget=forms.Textarea)
