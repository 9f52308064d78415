from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from villagehub.communities.models import Community, Network
from villagehub.core.filters import country_choices
from villagehub.core.forms import StoredTextForm
from villagehub.core.models import CONTENT_LANGUAGES
from villagehub.events.models import Event
from villagehub.practices.models import Practice
from villagehub.taxonomy.models import Goal, Theme

from .models import Digest, Subscription
from .selectors import news_publishers_for


def _slugs(text: str) -> list[str]:
    return [s for s in text.replace(",", " ").split() if s]


class NewsForm(StoredTextForm):
    """Writing a news item on the site; the service checks the publisher again."""

    publisher = forms.ChoiceField(label=_("Published by"), choices=[])
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Two or three sentences, shown in lists, feeds and newsletters."),
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "Markdown: ## for a heading, - for a list item, [words](https://…) for a link, "
            "![description](https://…) for an image."
        ),
    )
    language = forms.ChoiceField(
        label=_("Language of the text"),
        choices=CONTENT_LANGUAGES,
        help_text=_("Write in your own language; translations can follow."),
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes"), required=False, widget=forms.CheckboxSelectMultiple, choices=[]
    )
    goals = forms.TypedMultipleChoiceField(
        label=_("Agenda 2030 goals"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        choices=[],
    )
    countries = forms.MultipleChoiceField(
        label=_("Countries"), required=False, choices=country_choices
    )
    related_practices = forms.CharField(
        label=_("Related practices"),
        required=False,
        max_length=1000,
        help_text=_("Their addresses' last part (slug), separated by spaces."),
    )
    related_events = forms.CharField(
        label=_("Related events"),
        required=False,
        max_length=1000,
        help_text=_("Their addresses' last part (slug), separated by spaces."),
    )
    related_communities = forms.CharField(
        label=_("Related communities"),
        required=False,
        max_length=1000,
        help_text=_("Their addresses' last part (slug), separated by spaces."),
    )
    image = forms.FileField(
        label=_("Image"),
        required=False,
        help_text=_("PNG, JPEG or WebP, at most 5 MB."),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    image_alt = forms.CharField(
        label=_("Image description"),
        required=False,
        max_length=300,
        help_text=_("What the image shows, for people who cannot see it."),
    )

    RELATED = {
        "related_practices": Practice,
        "related_events": Event,
        "related_communities": Community,
    }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        language = translation.get_language() or "en"
        networks, communities = news_publishers_for(user)
        self.networks = {n.slug: n for n in networks.order_by("name")}
        self.communities = {c.slug: c for c in communities.order_by("name")}
        self.fields["publisher"].choices = [
            (f"network:{slug}", n.name) for slug, n in self.networks.items()
        ] + [(f"community:{slug}", c.name) for slug, c in self.communities.items()]
        self.fields["themes"].choices = [
            (t.slug, t.localized("name", language).text) for t in Theme.objects.order_by("name")
        ]
        self.fields["goals"].choices = [(g.number, str(g)) for g in Goal.objects.all()]
        if not self.is_bound and "language" not in self.initial:
            self.initial["language"] = language.split("-")[0]

    def _related(self, name: str) -> list:
        slugs = _slugs(self.cleaned_data[name])
        found = {r.slug: r for r in self.RELATED[name].objects.filter(slug__in=slugs)}
        missing = [s for s in slugs if s not in found]
        if missing:
            raise forms.ValidationError(_("Not found: %(slugs)s.") % {"slugs": ", ".join(missing)})
        return list(found.values())

    def clean_related_practices(self):
        return self._related("related_practices")

    def clean_related_events(self):
        return self._related("related_events")

    def clean_related_communities(self):
        return self._related("related_communities")

    def service_values(self) -> dict:
        """The cleaned values as the services' arguments."""
        data = dict(self.cleaned_data)
        kind, _sep, slug = data.pop("publisher").partition(":")
        data["network"] = self.networks.get(slug) if kind == "network" else None
        data["community"] = self.communities.get(slug) if kind == "community" else None
        data["themes"] = list(Theme.objects.filter(slug__in=data["themes"]))
        data["goals"] = list(Goal.objects.filter(number__in=data["goals"]))
        data["countries"] = [c.upper() for c in data["countries"]]
        if not data.get("image"):
            data.pop("image", None)
        return data

    @classmethod
    def initial_of(cls, item) -> dict:
        return {
            "publisher": f"network:{item.network.slug}"
            if item.network
            else (f"community:{item.community.slug}" if item.community else ""),
            "title": item.title,
            "summary": item.summary,
            "body": item.body,
            "language": item.language,
            "themes": [t.slug for t in item.themes.all()],
            "goals": [g.number for g in item.goals.all()],
            "countries": [c.code.lower() for c in item.countries],
            "related_practices": " ".join(p.slug for p in item.related_practices.all()),
            "related_events": " ".join(e.slug for e in item.related_events.all()),
            "related_communities": " ".join(c.slug for c in item.related_communities.all()),
            "image_alt": item.image_alt,
        }


class SubscriptionPreferencesForm(StoredTextForm):
    """What a subscriber receives: the kinds of content, networks, themes and countries
    (none chosen: all), and the language of the messages."""

    kinds = forms.MultipleChoiceField(
        label=_("What to receive"),
        widget=forms.CheckboxSelectMultiple,
        choices=Subscription.Kind.choices,
    )
    networks = forms.ModelMultipleChoiceField(
        label=_("Networks"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        queryset=Network.objects.order_by("name"),
        to_field_name="slug",
        help_text=_("None chosen: all networks."),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        queryset=Theme.objects.order_by("name"),
        to_field_name="slug",
        help_text=_("None chosen: all themes."),
    )
    countries = forms.MultipleChoiceField(
        label=_("Countries"),
        required=False,
        choices=country_choices,
        help_text=_("None chosen: all countries."),
    )
    language = forms.ChoiceField(label=_("Language of the messages"), choices=settings.LANGUAGES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = translation.get_language() or "en"
        self.fields["themes"].label_from_instance = lambda t: t.localized("name", language).text
        if not self.is_bound and "language" not in self.initial:
            self.initial["language"] = language.split("-")[0]
        if not self.is_bound and "kinds" not in self.initial:
            self.initial["kinds"] = list(Subscription.Kind.values)

    @classmethod
    def initial_of(cls, subscription) -> dict:
        return {
            "kinds": subscription.kinds,
            "networks": [n.slug for n in subscription.networks.all()],
            "themes": [t.slug for t in subscription.themes.all()],
            "countries": [c.code.lower() for c in subscription.countries],
            "language": subscription.language,
        }


class SubscribeForm(SubscriptionPreferencesForm):
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)
    consent = forms.BooleanField(
        label=_("I agree that the hub keeps my address to send me the newsletter."),
        required=False,
    )

    field_order = ["email", "kinds", "networks", "themes", "countries", "language", "consent"]


class IssueForm(StoredTextForm):
    network = forms.ModelChoiceField(
        label=_("Network"), queryset=Network.objects.none(), to_field_name="slug"
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    intro = forms.CharField(
        label=_("Introduction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Optional, in Markdown. Without it, the issue is a digest of what is new."),
    )
    language = forms.ChoiceField(label=_("Language of the text"), choices=CONTENT_LANGUAGES)
    days = forms.IntegerField(
        label=_("New in the last how many days"), min_value=1, max_value=92, initial=7
    )

    def __init__(self, *args, networks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = networks.order_by("name")
        if not self.is_bound and "language" not in self.initial:
            self.initial["language"] = (translation.get_language() or "en").split("-")[0]


class IssueScheduleForm(StoredTextForm):
    send_at = forms.DateTimeField(
        label=_("Send at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["send_at"].help_text = _("Time in %(zone)s.") % {"zone": settings.TIME_ZONE}


class DigestForm(StoredTextForm):
    """A network's automatic digest (on the page where issues are composed, hence the
    prefix: both forms name a network)."""

    prefix = "digest"

    network = forms.ModelChoiceField(
        label=_("Network"), queryset=Network.objects.none(), to_field_name="slug"
    )
    frequency = forms.ChoiceField(label=_("Automatic digest"), choices=Digest.Frequency.choices)

    def __init__(self, *args, networks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = networks.order_by("name")
