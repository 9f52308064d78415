from typing import Any, cast

from django import forms
from django.db import models
from django.utils import translation
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from villagehub.communities.models import Community, Network
from villagehub.core.forms import StoredTextForm
from villagehub.core.models import CONTENT_LANGUAGES
from villagehub.countries.models import FACTSHEET_QUESTIONS, CapSupport, Factsheet, cap_key
from villagehub.organisations.models import Organisation
from villagehub.practices.models import Practice
from villagehub.taxonomy.models import GOAL_TITLES, FundingSource, Theme


def _goals_field() -> forms.TypedMultipleChoiceField:
    """The Agenda 2030 goals a record serves, ticked by number."""
    return forms.TypedMultipleChoiceField(
        label=_("Agenda 2030 goals"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        choices=[(n, format_lazy("{}. {}", n, title)) for n, title in GOAL_TITLES.items()],
    )


def _themes_field() -> forms.MultipleChoiceField:
    """The themes a record is tagged with; their choices are read per form
    (`_theme_choices`), in the language of the request."""
    return forms.MultipleChoiceField(
        label=_("Themes"), required=False, widget=forms.CheckboxSelectMultiple, choices=[]
    )


def _theme_choices(language: str) -> list[tuple[str, str]]:
    return [(t.slug, t.localized("name", language).text) for t in Theme.objects.order_by("name")]


def _image_field() -> forms.FileField:
    return forms.FileField(
        label=_("Image"),
        required=False,
        help_text=_("PNG, JPEG or WebP, at most 5 MB."),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )


def _image_alt_field() -> forms.CharField:
    return forms.CharField(
        label=_("Image description"),
        required=False,
        max_length=300,
        help_text=_("What the image shows, for people who cannot see it."),
    )


def _story_field(name: str, rows: int = 4) -> forms.CharField:
    """An optional part of a practice's story, labelled and explained as the model says."""
    # A column of the practice, never a relation.
    field = cast("models.Field[Any, Any]", Practice._meta.get_field(name))
    return forms.CharField(
        label=capfirst(field.verbose_name),
        required=False,
        max_length=field.max_length,
        help_text=field.help_text,
        widget=forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput(),
    )


class PracticeProposalForm(StoredTextForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Two or three sentences: what was done, where, and with what result."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    challenge = _story_field("challenge")
    approach = _story_field("approach", rows=6)
    involved = _story_field("involved")
    results = _story_field("results")
    lessons = _story_field("lessons")
    budget_range = forms.ChoiceField(
        label=capfirst(Practice._meta.get_field("budget_range").verbose_name),
        required=False,
        choices=[("", _("Not stated")), *Practice.Budget.choices],
    )
    funding_sources = forms.MultipleChoiceField(
        label=_("Funding sources"), required=False, widget=forms.CheckboxSelectMultiple, choices=[]
    )
    volunteers = forms.IntegerField(
        label=capfirst(Practice._meta.get_field("volunteers").verbose_name),
        required=False,
        min_value=0,
        max_value=1_000_000,
        help_text=_("How many people gave their time, if you know."),
    )
    contact_role = _story_field("contact_role", rows=0)
    contact_email = forms.EmailField(
        label=capfirst(Practice._meta.get_field("contact_email").verbose_name), required=False
    )
    contact_consent = forms.BooleanField(
        label=capfirst(Practice._meta.get_field("contact_consent").verbose_name), required=False
    )
    language = forms.ChoiceField(
        label=_("Language of the text"),
        choices=CONTENT_LANGUAGES,
        help_text=_("Write in your own language; translations can follow."),
    )
    themes = _themes_field()
    goals = _goals_field()
    image = _image_field()
    image_alt = _image_alt_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = translation.get_language() or "en"
        self.fields["themes"].choices = _theme_choices(language)
        self.fields["funding_sources"].choices = [
            (f.slug, f.localized("name", language).text) for f in FundingSource.objects.all()
        ]
        if not self.is_bound and "language" not in self.initial:
            self.initial["language"] = language.split("-")[0]


class RoleRequestForm(StoredTextForm):
    message = forms.CharField(
        label=_("Your role in the community (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReturnForm(StoredTextForm):
    comment = forms.CharField(
        label=_("What should change"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )


class InvitationForm(StoredTextForm):
    email = forms.EmailField(label=_("E-mail address of the new editor"))
    community: "forms.ModelChoiceField[Community]" = forms.ModelChoiceField(
        label=_("Community"), queryset=None, required=False
    )
    organisation: "forms.ModelChoiceField[Organisation]" = forms.ModelChoiceField(
        label=_("or organisation"), queryset=None, required=False
    )

    def __init__(self, *args, user, **kwargs):
        from .selectors import communities_reviewed_by, invites_organisation_editors

        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities_reviewed_by(user).order_by("name")
        if invites_organisation_editors(user):
            self.fields["organisation"].queryset = Organisation.objects.order_by("name")
        else:
            del self.fields["organisation"]
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and field.queryset.count() > 200:
                # The back office reaches every community: a list that long helps nobody.
                field.to_field_name = "slug"
                field.widget = forms.TextInput()
                field.help_text = _("Its short name, as in the address of its page.")

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("community")) == bool(cleaned.get("organisation")):
            raise forms.ValidationError(_("Choose one community or one organisation."))
        return cleaned


class CommunityProfileForm(StoredTextForm):
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    population = forms.IntegerField(label=_("Population"), required=False, min_value=0)
    population_year = forms.IntegerField(
        label=_("Population year"), required=False, min_value=1900, max_value=2100
    )
    themes = _themes_field()
    goals = _goals_field()
    image = _image_field()
    image_alt = _image_alt_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = translation.get_language() or "en"
        self.fields["themes"].choices = _theme_choices(language)


class NewCommunityForm(StoredTextForm):
    """A community not yet in the hub, proposed by someone from it."""

    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=[])
    country = forms.ChoiceField(label=_("Country"), choices=[])
    region = forms.CharField(label=_("Region"), required=False, max_length=120)
    network: "forms.ModelChoiceField[Network]" = forms.ModelChoiceField(
        label=_("Network to join"),
        queryset=None,
        help_text=_("Its coordinators review the proposal."),
    )
    population = forms.IntegerField(label=_("Population"), required=False, min_value=0)
    population_year = forms.IntegerField(
        label=_("Population year"), required=False, min_value=1800, max_value=2100
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    language = forms.ChoiceField(label=_("Language of the text"), choices=CONTENT_LANGUAGES)
    themes = _themes_field()
    goals = _goals_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = translation.get_language() or "en"
        self.fields["kind"].choices = Community.Kind.choices
        self.fields["country"].choices = [("", "---------"), *countries]
        self.fields["network"].queryset = Network.objects.order_by("name")
        self.fields["themes"].choices = _theme_choices(language)
        if not self.is_bound and "language" not in self.initial:
            self.initial["language"] = language.split("-")[0]


class NewProviderForm(StoredTextForm):
    """A solution provider (an SME) not yet in the hub, proposed by someone from it."""

    name = forms.CharField(label=_("Name"), max_length=200)
    acronym = forms.CharField(label=_("Acronym"), required=False, max_length=40)
    country = forms.ChoiceField(label=_("Country"), choices=[])
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    language = forms.ChoiceField(label=_("Language of the text"), choices=CONTENT_LANGUAGES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "---------"), *countries]
        if not self.is_bound and "language" not in self.initial:
            self.initial["language"] = (translation.get_language() or "en").split("-")[0]


class OrganisationProfileForm(StoredTextForm):
    acronym = forms.CharField(label=_("Acronym"), required=False, max_length=40)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )


class DatasetForm(StoredTextForm):
    """A community's own data set (broadband coverage, population, sensor exports...)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}))
    keywords = forms.CharField(
        label=_("Keywords"), required=False, help_text=_("Separated by commas.")
    )
    data_themes = forms.MultipleChoiceField(
        label=_("Themes (EU data themes)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[],
    )
    licence = forms.ChoiceField(label=_("Licence"), choices=[])
    temporal_start = forms.DateField(label=_("Covers from"), required=False)
    temporal_end = forms.DateField(label=_("Covers until"), required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("CSV, JSON, GeoJSON, XLSX, ODS, PDF, XML or ZIP; at most 50 MB."),
    )
    access_url = forms.URLField(
        label=_("Or a link to the data"), required=False, assume_scheme="https"
    )
    format = forms.ChoiceField(label=_("Format"), choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from villagehub.catalogue.vocabularies import DATA_THEMES, FILE_TYPES, LICENCES

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["data_themes"]).choices = list(DATA_THEMES.items())
        cast(forms.ChoiceField, self.fields["licence"]).choices = list(LICENCES.items())
        cast(forms.ChoiceField, self.fields["format"]).choices = [
            (code, label) for code, (label, _m) in FILE_TYPES.items()
        ]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("file") and not cleaned.get("access_url"):
            raise forms.ValidationError(_("Upload a file or give a link to the data."))
        return cleaned


def _factsheet_field(name: str) -> forms.Field:
    """One question of the fixed set, labelled and constrained as the factsheet's model says."""
    # A column of the factsheet, never a relation.
    field = cast("models.Field[Any, Any]", Factsheet._meta.get_field(name))
    label = capfirst(field.verbose_name)
    if field.choices:
        return forms.ChoiceField(
            label=label, required=False, choices=[("", _("Not stated")), *field.choices]
        )
    if isinstance(field, models.BooleanField) and field.null:
        return forms.NullBooleanField(label=label, required=False)
    if isinstance(field, models.BooleanField):
        return forms.BooleanField(label=label, required=False)
    if isinstance(field, models.TextField):
        return forms.CharField(
            label=label, required=False, widget=forms.Textarea(attrs={"rows": 4})
        )
    return forms.CharField(label=label, required=False, max_length=field.max_length)


class FactsheetForm(StoredTextForm):
    """A country's factsheet: the same questions for every country, so that they compare."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in FACTSHEET_QUESTIONS:
            self.fields[name] = _factsheet_field(name)
        for period, label in CapSupport.Period.choices:
            key = cap_key(period)
            self.fields[key] = forms.ChoiceField(
                label=_("CAP support %(label)s") % {"label": label},
                required=False,
                choices=[("", _("Not stated")), *CapSupport.Support.choices],
            )
            self.fields[f"{key}_measures"] = forms.CharField(
                label=_("CAP measures %(label)s") % {"label": label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        self.fields["language"] = forms.ChoiceField(
            label=_("Language of the text"), choices=CONTENT_LANGUAGES
        )
        if not self.is_bound and "language" not in self.initial:
            self.initial["language"] = (translation.get_language() or "en").split("-")[0]
